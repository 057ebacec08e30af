package io.svcnet.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.svcnet.apiserver.ApiServer;
import io.svcnet.store.sqlite.SqliteStore;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * svcnet's real apiserver on an ephemeral port over a real SQLite file, a fabric8 client for it, and the helpers the
 * proxy tests share: hand-written EndpointSlices (the controllers are not part of this module) and socket probes.
 */
final class TestCluster implements AutoCloseable {

    /** One endpoint of a hand-written slice. */
    record Ep(String ip, String node, boolean ready, boolean serving, boolean terminating) {
        static Ep ready(String ip, String node) {
            return new Ep(ip, node, true, true, false);
        }
    }

    final SqliteStore store;
    final ApiServer server;
    final KubernetesClient client;
    private boolean apiStopped;

    TestCluster(Path dir) throws IOException {
        store = SqliteStore.open(dir.resolve("state.db"));
        server = ApiServer.start(ApiServer.Config.defaults(dir, 0), store);
        Config cfg = new ConfigBuilder(Config.empty())
                .withMasterUrl(server.url())
                .withOauthToken(server.token())
                .withCaCertData(Base64.getEncoder().encodeToString(Files.readAllBytes(server.caCertFile())))
                .withNamespace("default")
                .withRequestRetryBackoffLimit(0)
                .build();
        client = new KubernetesClientBuilder().withConfig(cfg).build();
    }

    Service create(Service s) {
        return client.services().inNamespace("default").resource(s).create();
    }

    /** Creates or replaces slice {@code <service>-<suffix>} with one port. */
    EndpointSlice slice(String service, String suffix, String portName, String protocol, int port, List<Ep> eps) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace("default").withName(service + "-" + suffix)
                .addToLabels("kubernetes.io/service-name", service)
                .addToLabels("endpointslice.kubernetes.io/managed-by", "proxy-test").endMetadata()
                .withAddressType("IPv4").addNewPort().withName(portName).withProtocol(protocol).withPort(port).endPort();
        for (Ep e : eps) {
            b.addNewEndpoint().withAddresses(e.ip()).withNodeName(e.node())
                    .withNewConditions().withReady(e.ready()).withServing(e.serving()).withTerminating(e.terminating()).endConditions()
                    .endEndpoint();
        }
        return client.discovery().v1().endpointSlices().inNamespace("default").resource(b.build()).createOr(r -> r.update());
    }

    void stopApiServer() {
        if (!apiStopped) {
            apiStopped = true;
            server.close();
        }
    }

    @Override
    public void close() {
        client.close();
        stopApiServer();
        store.close();
    }

    static InetSocketAddress addr(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    /** True once a TCP connect to {@code a} succeeds (within {@code millis}). */
    static boolean awaitListening(InetSocketAddress a, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        // Prefer the kernel's socket table: a probe connection would itself be proxied, and its accept may happen
        // later on another event loop, in the middle of the requests a test counts (a round-robin pick of its own).
        java.nio.file.Path table = java.nio.file.Path.of("/proc/net/tcp");
        if (a.getAddress() instanceof java.net.Inet4Address && java.nio.file.Files.isReadable(table)) {
            byte[] ip = a.getAddress().getAddress();
            String local = String.format("%02X%02X%02X%02X:%04X", ip[3] & 0xff, ip[2] & 0xff, ip[1] & 0xff, ip[0] & 0xff, a.getPort());
            while (System.nanoTime() < deadline) {
                try {
                    boolean listening = java.nio.file.Files.readAllLines(table).stream().skip(1)
                            .map(l -> l.trim().split("\\s+"))
                            .anyMatch(f -> f.length > 3 && f[1].equals(local) && f[3].equals("0A"));
                    if (listening) {
                        return true;
                    }
                } catch (IOException e) {
                    break; // fall back to probing
                }
                Thread.sleep(5);
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
        }
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(a, 500);
                return true;
            } catch (IOException e) {
                Thread.sleep(5);
            }
        }
        return false;
    }

    /** True once a TCP connect to {@code a} is refused (within {@code millis}). */
    static boolean awaitRefused(InetSocketAddress a, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(a, 500);
            } catch (ConnectException e) {
                return true;
            } catch (SocketException e) {
                // reset or similar while it changes: try again
            } catch (IOException e) {
                // timeout: try again
            }
            Thread.sleep(5);
        }
        return false;
    }
}
