package io.svcnet.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.svcnet.api.json.Json;
import io.svcnet.store.sqlite.SqliteStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real apiserver on an ephemeral port over a real SQLite file, and an HTTPS client that trusts its CA. Either
 * opened and closed by a test itself, or one per test class as a JUnit extension in a temporary directory of its own:
 * {@code @RegisterExtension static final TestApiServer api = TestApiServer.perClass();}
 */
final class TestApiServer implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    SqliteStore store;
    ApiServer server;
    HttpClient http;
    /** The per-class server's directory (deleted after the class), else null. */
    private Path tempDir;

    TestApiServer(Path dir) throws Exception {
        this(dir, ApiServer.Config.defaults(dir, 0));
    }

    TestApiServer(Path dir, ApiServer.Config config) throws Exception {
        start(dir, config);
    }

    private TestApiServer() {
    }

    /** One server for a test class, started before its first test and closed after its last (register it as an extension). */
    static TestApiServer perClass() {
        return new TestApiServer();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        tempDir = Files.createTempDirectory("svcnet-apiserver-test");
        start(tempDir, ApiServer.Config.defaults(tempDir, 0));
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        close();
        try (Stream<Path> files = Files.walk(tempDir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** A response body as JSON. */
    static JsonNode json(HttpResponse<String> r) {
        return Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
    }

    private void start(Path dir, ApiServer.Config config) throws Exception {
        store = SqliteStore.open(dir.resolve("state.db"));
        server = ApiServer.start(config, store);
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(server.caCertFile()))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        http = HttpClient.newBuilder().sslContext(ctx).version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + server.token());
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        return http.send(request(path).header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String json) throws Exception {
        return send("POST", path, "application/json", json);
    }

    @Override
    public void close() {
        server.close();
        store.close();
    }
}
