package io.svcnet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.svcnet.api.json.Json;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * services/proxy and pods/proxy over real HTTPS, to real HTTP(S) backends listening on pod-like loopback addresses
 * (127.244.x.y) on ephemeral ports; Services, Endpoints, EndpointSlices and Pods are registered by hand.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ProxySubresourceTest {

    @TempDir
    static Path dir;

    static TestApiServer api;
    static final List<AutoCloseable> backends = new ArrayList<>();
    static final byte[] BIG = new byte[1 << 20];
    static final java.util.concurrent.atomic.AtomicLong FLOODED = new java.util.concurrent.atomic.AtomicLong();
    static int plainPort;
    static int altPort;
    static int tlsPort;

    @BeforeAll
    static void start() throws Exception {
        new Random(42).nextBytes(BIG);
        api = new TestApiServer(dir);
        plainPort = port(startPlain("127.244.77.1", "plain"));
        altPort = port(startPlain("127.244.77.2", "alt"));
        tlsPort = port(startTls("127.244.77.3"));
        api.post("/api/v1/namespaces/default/services", """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"myapp"},
                 "spec":{"selector":{"app":"myapp"},"ports":[{"name":"http","port":80,"targetPort":%d},
                                                             {"name":"metrics","port":9090,"targetPort":%d},
                                                             {"name":"https","port":443,"targetPort":%d}]}}"""
                .formatted(plainPort, altPort, tlsPort));
        api.post("/api/v1/namespaces/default/endpoints", """
                {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"myapp"},
                 "subsets":[{"addresses":[{"ip":"127.244.77.1"}],"ports":[{"name":"http","port":%d}]},
                            {"addresses":[{"ip":"127.244.77.2"}],"ports":[{"name":"metrics","port":%d}]},
                            {"addresses":[{"ip":"127.244.77.3"}],"notReadyAddresses":[{"ip":"127.244.77.9"}],
                             "ports":[{"name":"https","port":%d}]}]}""".formatted(plainPort, altPort, tlsPort));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable b : backends) {
            b.close();
        }
        if (api != null) {
            api.close();
        }
    }

    static int port(HttpServer s) {
        return s.getAddress().getPort();
    }

    /** A backend answering every request with what it saw, /big with 1 MiB sent in 16 KiB chunks, /echo with the body. */
    static HttpServer startPlain(String ip, String name) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(ip, 0), 50);
        serve(s, name);
        return s;
    }

    static HttpServer startTls(String ip) throws Exception {
        SelfSignedCertificate cert = new SelfSignedCertificate("backend.invalid");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", cert.key(), "pw".toCharArray(), new Certificate[] {cert.cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        HttpsServer s = HttpsServer.create(new InetSocketAddress(ip, 0), 50);
        s.setHttpsConfigurator(new HttpsConfigurator(ctx));
        serve(s, "tls");
        cert.delete();
        return s;
    }

    static void serve(HttpServer s, String name) {
        s.createContext("/", ex -> {
            try (ex) {
                String path = ex.getRequestURI().getRawPath();
                if (path.equals("/flood")) {
                    ex.sendResponseHeaders(200, 0);
                    byte[] chunk = new byte[65536];
                    try (OutputStream out = ex.getResponseBody()) {
                        for (int i = 0; i < 1024; i++) { // 64 MiB, unless the proxy stops reading
                            out.write(chunk);
                            FLOODED.addAndGet(chunk.length);
                        }
                    } catch (java.io.IOException clientGone) {
                        // expected: the test hangs up
                    }
                    return;
                }
                if (path.equals("/big")) {
                    ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                    ex.sendResponseHeaders(200, 0); // chunked
                    try (OutputStream out = ex.getResponseBody()) {
                        for (int off = 0; off < BIG.length; off += 16384) {
                            out.write(BIG, off, 16384);
                            out.flush();
                        }
                    }
                    return;
                }
                byte[] body;
                try (InputStream in = ex.getRequestBody()) {
                    body = in.readAllBytes();
                }
                if (path.equals("/echo")) {
                    ex.getResponseHeaders().set("X-Body-Sha256", sha256(body));
                    ex.sendResponseHeaders(201, body.length);
                    ex.getResponseBody().write(body);
                    return;
                }
                if (path.equals("/redirect")) {
                    ex.getResponseHeaders().set("Location", "/elsewhere");
                    ex.sendResponseHeaders(302, -1);
                    return;
                }
                TreeMap<String, String> headers = new TreeMap<>();
                ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
                var o = Json.object();
                o.put("backend", name);
                o.put("method", ex.getRequestMethod());
                o.put("uri", ex.getRequestURI().toString());
                o.put("body", new String(body, StandardCharsets.UTF_8));
                var h = o.putObject("headers");
                headers.forEach(h::put);
                byte[] out = Json.bytes(o);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.getResponseHeaders().set("X-Backend", name);
                ex.sendResponseHeaders(200, out.length);
                ex.getResponseBody().write(out);
            }
        });
        s.start();
        backends.add(() -> s.stop(0));
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> r) {
        return Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void getByNamedPortNumericPortDefaultPortAndScheme() throws Exception {
        HttpResponse<String> named = api.http.send(api.request("/api/v1/namespaces/default/services/myapp:http/proxy/some/path?x=1&y=a%20b")
                .header("X-Custom", "kept").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(named.statusCode()).as(named.body()).isEqualTo(200);
        assertThat(named.headers().firstValue("X-Backend")).hasValue("plain");
        JsonNode seen = json(named);
        assertThat(seen.path("method").asText()).isEqualTo("GET");
        assertThat(seen.path("uri").asText()).isEqualTo("/some/path?x=1&y=a%20b");
        assertThat(seen.path("headers").path("x-custom").asText()).isEqualTo("kept");
        assertThat(seen.path("headers").has("authorization")).as("the client's token never reaches a backend").isFalse();
        assertThat(seen.path("headers").path("host").asText()).isEqualTo("127.244.77.1:" + plainPort);
        assertThat(seen.path("headers").path("x-forwarded-for").asText()).isEqualTo("127.0.0.1");

        assertThat(json(api.get("/api/v1/namespaces/default/services/myapp:9090/proxy/")).path("backend").asText()).isEqualTo("alt");
        assertThat(json(api.get("/api/v1/namespaces/default/services/myapp:metrics/proxy/")).path("backend").asText()).isEqualTo("alt");
        assertThat(json(api.get("/api/v1/namespaces/default/services/myapp/proxy/")).path("backend").asText()).isEqualTo("plain");
        assertThat(json(api.get("/api/v1/namespaces/default/services/http:myapp:80/proxy/")).path("backend").asText()).isEqualTo("plain");
        // the seed's form: scheme https, empty port (here the port is named) — TLS without verifying the backend
        HttpResponse<String> tls = api.get("/api/v1/namespaces/default/services/https:myapp:https/proxy/x");
        assertThat(tls.statusCode()).as(tls.body()).isEqualTo(200);
        assertThat(json(tls).path("backend").asText()).isEqualTo("tls");
        // colons escaped by the client are the same id
        assertThat(json(api.get("/api/v1/namespaces/default/services/https%3Amyapp%3A443/proxy/")).path("backend").asText()).isEqualTo("tls");
    }

    @Test
    void httpsToAPlainTextBackendIs503WithGosTlsError() throws Exception {
        // a plain-text server that answers whatever arrives (a ClientHello here) with an HTTP 400, as nginx does
        java.net.ServerSocket plain = new java.net.ServerSocket(0, 5, java.net.InetAddress.getByName("127.244.77.6"));
        backends.add(plain);
        Thread answer = new Thread(() -> {
            while (!plain.isClosed()) {
                try (java.net.Socket s = plain.accept()) {
                    s.getInputStream().read(new byte[512]);
                    s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (java.io.IOException closed) {
                    return;
                }
            }
        }, "plain-text-backend");
        answer.setDaemon(true);
        answer.start();
        api.post("/api/v1/namespaces/default/services", """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"plaintext"},"spec":{"ports":[{"port":80}]}}""");
        api.post("/api/v1/namespaces/default/endpoints", """
                {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"plaintext"},
                 "subsets":[{"addresses":[{"ip":"127.244.77.6"}],"ports":[{"port":%d}]}]}""".formatted(plain.getLocalPort()));
        HttpResponse<String> r = api.get("/api/v1/namespaces/default/services/https:plaintext:/proxy/");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(json(r).path("message").asText())
                .isEqualTo("error trying to reach service: tls: first record does not look like a TLS handshake");
    }

    @Test
    void postPutAndDeleteCarryMethodAndBody() throws Exception {
        HttpResponse<String> post = api.post("/api/v1/namespaces/default/services/myapp:80/proxy/form", "{\"hello\":1}");
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(json(post).path("method").asText()).isEqualTo("POST");
        assertThat(json(post).path("body").asText()).isEqualTo("{\"hello\":1}");
        assertThat(json(post).path("headers").path("content-type").asText()).isEqualTo("application/json");
        assertThat(json(post).path("headers").path("content-length").asText()).isEqualTo("11");
        HttpResponse<String> put = api.send("PUT", "/api/v1/namespaces/default/services/myapp:80/proxy/x", "text/plain", "abc");
        assertThat(json(put).path("method").asText()).isEqualTo("PUT");
        assertThat(json(put).path("body").asText()).isEqualTo("abc");
        HttpResponse<String> del = api.http.send(api.request("/api/v1/namespaces/default/services/myapp:80/proxy/x").DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(json(del).path("method").asText()).isEqualTo("DELETE");
    }

    @Test
    void largeBodiesStreamBothWays() throws Exception {
        HttpResponse<InputStream> big = api.http.send(api.request("/api/v1/namespaces/default/services/myapp:http/proxy/big").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(big.statusCode()).isEqualTo(200);
        assertThat(big.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
        byte[] got;
        try (InputStream in = big.body()) {
            got = in.readAllBytes();
        }
        assertThat(got.length).isEqualTo(BIG.length);
        assertThat(Arrays.equals(got, BIG)).isTrue();

        HttpResponse<byte[]> echoed = api.http.send(api.request("/api/v1/namespaces/default/services/myapp:http/proxy/echo")
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(BIG)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(echoed.statusCode()).isEqualTo(201);
        assertThat(echoed.headers().firstValue("X-Body-Sha256")).hasValue(sha256(BIG));
        assertThat(echoed.headers().firstValue("Content-Length")).hasValue(Integer.toString(BIG.length));
        assertThat(Arrays.equals(echoed.body(), BIG)).isTrue();
    }

    @Test
    void aSlowClientSlowsTheBackendInsteadOfFillingMemory() throws Exception {
        HttpResponse<InputStream> r = api.http.send(api.request("/api/v1/namespaces/default/services/myapp/proxy/flood").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            assertThat(in.readNBytes(1 << 20)).hasSize(1 << 20);
            // Stop reading. Without back-pressure the apiserver would drain all 64 MiB from the backend into memory;
            // with it, the backend stalls once the socket buffers along the way (a few MiB each) are full.
            long last = -1;
            long now = FLOODED.get();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (now != last && System.nanoTime() < deadline) {
                Thread.sleep(1000);
                last = now;
                now = FLOODED.get();
            }
            assertThat(now).as("bytes the backend managed to write while the client read 1 MiB").isLessThan(40L << 20);
        }
    }

    @Test
    void redirectsFromTheBackendAreLeftAlone() throws Exception {
        HttpResponse<String> r = api.get("/api/v1/namespaces/default/services/myapp/proxy/redirect");
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValue("/elsewhere");
    }

    @Test
    void bareProxyPathRedirectsToTheSlashForm() throws Exception {
        HttpResponse<String> r = api.get("/api/v1/namespaces/default/services/myapp/proxy?a=b");
        assertThat(r.statusCode()).isEqualTo(301);
        assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/namespaces/default/services/myapp/proxy/?a=b");
    }

    @Test
    void noEndpointsUnknownServiceAndUnknownPortAreKubesErrors() throws Exception {
        api.post("/api/v1/namespaces/default/services", """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"empty"},"spec":{"ports":[{"port":80}]}}""");
        api.post("/api/v1/namespaces/default/endpoints", """
                {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"empty"}}""");
        HttpResponse<String> none = api.get("/api/v1/namespaces/default/services/empty:80/proxy/");
        assertThat(none.statusCode()).isEqualTo(503);
        JsonNode st = json(none);
        assertThat(st.path("kind").asText()).isEqualTo("Status");
        assertThat(st.path("status").asText()).isEqualTo("Failure");
        assertThat(st.path("reason").asText()).isEqualTo("ServiceUnavailable");
        assertThat(st.path("code").asInt()).isEqualTo(503);
        assertThat(st.path("message").asText()).isEqualTo("no endpoints available for service \"empty\"");

        // no Endpoints object and no EndpointSlice either
        api.post("/api/v1/namespaces/default/services", """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"bare"},"spec":{"ports":[{"port":80}]}}""");
        assertThat(json(api.get("/api/v1/namespaces/default/services/bare/proxy/")).path("message").asText())
                .isEqualTo("no endpoints available for service \"bare\"");

        HttpResponse<String> unknown = api.get("/api/v1/namespaces/default/services/nope/proxy/");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).path("message").asText()).isEqualTo("services \"nope\" not found");

        HttpResponse<String> badPort = api.get("/api/v1/namespaces/default/services/myapp:8081/proxy/");
        assertThat(badPort.statusCode()).isEqualTo(503);
        assertThat(json(badPort).path("message").asText()).isEqualTo("no service port 8081 found for service \"myapp\"");

        HttpResponse<String> badScheme = api.get("/api/v1/namespaces/default/services/ftp:myapp:80/proxy/");
        assertThat(badScheme.statusCode()).isEqualTo(400);
        assertThat(json(badScheme).path("message").asText()).isEqualTo("invalid service request \"ftp:myapp:80\"");
    }

    @Test
    void endpointSlicesServeWhenThereIsNoEndpointsObject() throws Exception {
        api.post("/api/v1/namespaces/default/services", """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"sliced"},"spec":{"ports":[{"name":"web","port":80}]}}""");
        api.post("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", """
                {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"sliced-abcde",
                  "labels":{"kubernetes.io/service-name":"sliced"}},"addressType":"IPv4",
                 "ports":[{"name":"web","port":%d,"protocol":"TCP"}],
                 "endpoints":[{"addresses":["127.244.77.2"],"conditions":{"ready":true}},
                              {"addresses":["127.244.77.99"],"conditions":{"ready":false}}]}""".formatted(altPort));
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = api.get("/api/v1/namespaces/default/services/sliced/proxy/");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(json(r).path("backend").asText()).isEqualTo("alt");
        }
    }

    @Test
    void unreachableBackendIs503WithTheDialError() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.244.77.5"))) {
            closed = s.getLocalPort();
        }
        api.post("/api/v1/namespaces/default/services", """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"down"},"spec":{"ports":[{"port":80}]}}""");
        api.post("/api/v1/namespaces/default/endpoints", """
                {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"down"},
                 "subsets":[{"addresses":[{"ip":"127.244.77.5"}],"ports":[{"port":%d}]}]}""".formatted(closed));
        HttpResponse<String> r = api.get("/api/v1/namespaces/default/services/down/proxy/");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(json(r).path("message").asText())
                .isEqualTo("error trying to reach service: dial tcp 127.244.77.5:" + closed + ": connect: connection refused");
    }

    @Test
    void podsProxyGoesToThePodIp() throws Exception {
        api.post("/api/v1/namespaces/default/pods", """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0"},
                 "spec":{"containers":[{"name":"c","image":"nginx","ports":[{"name":"http","containerPort":%d}]}]}}""".formatted(plainPort));
        HttpResponse<String> noIp = api.get("/api/v1/namespaces/default/pods/web-0/proxy/");
        assertThat(noIp.statusCode()).isEqualTo(400);
        HttpResponse<String> st = api.send("PATCH", "/api/v1/namespaces/default/pods/web-0/status", "application/merge-patch+json",
                "{\"status\":{\"podIP\":\"127.244.77.1\",\"podIPs\":[{\"ip\":\"127.244.77.1\"}]}}");
        assertThat(st.statusCode()).as(st.body()).isEqualTo(200);

        HttpResponse<String> first = api.get("/api/v1/namespaces/default/pods/web-0/proxy/p?q=1");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(json(first).path("backend").asText()).isEqualTo("plain");
        assertThat(json(first).path("uri").asText()).isEqualTo("/p?q=1");
        assertThat(json(api.get("/api/v1/namespaces/default/pods/web-0:http/proxy/")).path("backend").asText()).isEqualTo("plain");
        // a numeric port needs no declaration: 127.244.77.2 is not the pod, so use the pod IP with the other port
        api.send("PATCH", "/api/v1/namespaces/default/pods/web-0/status", "application/merge-patch+json",
                "{\"status\":{\"podIP\":\"127.244.77.2\",\"podIPs\":[{\"ip\":\"127.244.77.2\"}]}}");
        HttpResponse<String> numeric = api.post("/api/v1/namespaces/default/pods/http:web-0:" + altPort + "/proxy/x", "hi");
        assertThat(numeric.statusCode()).as(numeric.body()).isEqualTo(200);
        assertThat(json(numeric).path("backend").asText()).isEqualTo("alt");
        assertThat(json(numeric).path("body").asText()).isEqualTo("hi");
        assertThat(api.get("/api/v1/namespaces/default/pods/missing/proxy/").statusCode()).isEqualTo(404);
    }

    @Test
    void podsInANetnsNodeAreRefusedWithAClearMessage() throws Exception {
        api.post("/api/v1/nodes", """
                {"apiVersion":"v1","kind":"Node","metadata":{"name":"ns-node","annotations":{"svcnet.io/kubelet-address":"127.0.1.7"}}}""");
        api.post("/api/v1/namespaces/default/pods", """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"inside"},
                 "spec":{"nodeName":"ns-node","containers":[{"name":"c","image":"nginx"}]}}""");
        api.send("PATCH", "/api/v1/namespaces/default/pods/inside/status", "application/merge-patch+json",
                "{\"status\":{\"podIP\":\"10.244.1.5\"}}");
        HttpResponse<String> r = api.get("/api/v1/namespaces/default/pods/inside/proxy/");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(json(r).path("message").asText()).contains("10.244.1.5").contains("netns network backend");
    }

    @Test
    void discoveryListsTheProxySubresources() throws Exception {
        JsonNode list = json(api.get("/api/v1"));
        List<String> seen = new ArrayList<>();
        for (JsonNode r : list.path("resources")) {
            String name = r.path("name").asText();
            if (name.equals("services/proxy") || name.equals("pods/proxy")) {
                seen.add(name + " " + r.path("kind").asText() + " " + r.path("verbs"));
            }
        }
        assertThat(seen).containsExactlyInAnyOrder(
                "pods/proxy PodProxyOptions [\"create\",\"delete\",\"get\",\"patch\",\"update\"]",
                "services/proxy ServiceProxyOptions [\"create\",\"delete\",\"get\",\"patch\",\"update\"]");
    }

    @Test
    void anonymousProxyRequestsAre401() throws Exception {
        HttpResponse<String> r = api.http.send(HttpRequest.newBuilder(java.net.URI.create(
                api.server.url() + "/api/v1/namespaces/default/services/myapp/proxy/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
    }
}
