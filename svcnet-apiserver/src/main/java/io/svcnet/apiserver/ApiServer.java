package io.svcnet.apiserver;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.apiserver.internal.ApiServerAssembly;
import io.svcnet.apiserver.internal.Registry;
import io.svcnet.apiserver.internal.ResourceStrategy;
import io.svcnet.apiserver.internal.TlsMaterial;
import io.svcnet.store.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * svcnet's Kubernetes-compatible apiserver: HTTPS with a bearer token, discovery, OpenAPI v3, the REST verbs,
 * watch, Table printing, on a {@link Store}. Start with {@link #start(Config, Store)}; {@link #close()} stops
 * it (the store is the caller's to close).
 *
 * <p>Threading: Netty event loops decode and write; requests run on a pool of request threads; watch events
 * are written from the store's delivery threads; periodic work (bookmarks, timeouts, compaction) runs on one
 * scheduler thread.
 */
public final class ApiServer implements AutoCloseable {

    /**
     * @param host          address to listen on
     * @param port          port (0 = ephemeral)
     * @param dataDir       where TLS material, the token and the kubeconfig live
     * @param tls           serve HTTPS (true) or plain HTTP (tests of the HTTP layer only)
     * @param extraStrategies per-type strategies added by other modules (e.g. Service allocation)
     * @param compactionInterval how often to compact history older than {@code compactionRetention}
     */
    public record Config(String host, int port, Path dataDir, boolean tls, Map<ResourceType, ResourceStrategy> extraStrategies,
            Duration compactionInterval, Duration bookmarkInterval, String serviceCidr, String nodePortRange) {

        /** The loopback backend's service range (ARCHITECTURE.md): ClusterIPs are real loopback addresses. */
        public static final String DEFAULT_SERVICE_CIDR = "127.96.0.0/12";
        public static final String DEFAULT_NODE_PORT_RANGE = "30000-32767";

        public static Config defaults(Path dataDir, int port) {
            return new Config("127.0.0.1", port, dataDir, true, Map.of(), Duration.ofMinutes(5), Duration.ofMinutes(1),
                    DEFAULT_SERVICE_CIDR, DEFAULT_NODE_PORT_RANGE);
        }

        public Config withHost(String h) {
            return new Config(h, port, dataDir, tls, extraStrategies, compactionInterval, bookmarkInterval, serviceCidr, nodePortRange);
        }

        public Config withTls(boolean t) {
            return new Config(host, port, dataDir, t, extraStrategies, compactionInterval, bookmarkInterval, serviceCidr, nodePortRange);
        }

        public Config withStrategies(Map<ResourceType, ResourceStrategy> s) {
            return new Config(host, port, dataDir, tls, s, compactionInterval, bookmarkInterval, serviceCidr, nodePortRange);
        }

        public Config withServiceRanges(String cidr, String nodePorts) {
            return new Config(host, port, dataDir, tls, extraStrategies, compactionInterval, bookmarkInterval, cidr, nodePorts);
        }
    }

    private final ApiServerAssembly assembly;
    private final TlsMaterial tls;
    private final Config config;

    private ApiServer(Config config, ApiServerAssembly assembly, TlsMaterial tls) {
        this.config = config;
        this.assembly = assembly;
        this.tls = tls;
    }

    public static ApiServer start(Config config, Store store) {
        TlsMaterial tls = TlsMaterial.loadOrCreate(config.dataDir().resolve("pki"), List.of(config.host()));
        SslContext ssl = null;
        if (config.tls()) {
            try {
                ssl = SslContextBuilder.forServer(tls.serverPrivateKey(), tls.serverCertChain()).build();
            } catch (SSLException e) {
                throw new IllegalStateException("cannot set up TLS", e);
            }
        }
        ApiServerAssembly a = ApiServerAssembly.start(config.host(), config.port(), ssl, tls.token(), store,
                Clock.systemUTC(), config.extraStrategies(), config.compactionInterval(), config.bookmarkInterval(),
                config.serviceCidr(), config.nodePortRange());
        return new ApiServer(config, a, tls);
    }

    public int port() {
        return assembly.port();
    }

    /** https://host:port (or http when TLS is off). */
    public String url() {
        String h = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return (config.tls() ? "https://" : "http://") + h + ":" + port();
    }

    public String token() {
        return tls.token();
    }

    public Path caCertFile() {
        return tls.caCertFile();
    }

    public Registry registry() {
        return assembly.registry();
    }

    /** Writes a kubeconfig for this server (CA data and token inline, owner-only) and returns its path. */
    public Path writeKubeconfig(Path file) {
        String ca = Base64.getEncoder().encodeToString(tls.caCertPem().getBytes(StandardCharsets.UTF_8));
        String yaml = "apiVersion: v1\n"
                + "kind: Config\n"
                + "clusters:\n"
                + "- name: svcnet\n"
                + "  cluster:\n"
                + "    server: " + url() + "\n"
                + (config.tls() ? "    certificate-authority-data: " + ca + "\n" : "")
                + "users:\n"
                + "- name: svcnet-admin\n"
                + "  user:\n"
                + "    token: " + tls.token() + "\n"
                + "contexts:\n"
                + "- name: svcnet\n"
                + "  context:\n"
                + "    cluster: svcnet\n"
                + "    user: svcnet-admin\n"
                + "    namespace: default\n"
                + "current-context: svcnet\n";
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, yaml);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write kubeconfig " + file, e);
        }
        return file;
    }

    @Override
    public void close() {
        assembly.close();
    }
}
