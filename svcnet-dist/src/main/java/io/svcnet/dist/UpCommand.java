package io.svcnet.dist;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.svcnet.apiserver.ApiServer;
import io.svcnet.controllers.Controllers;
import io.svcnet.store.Store;
import io.svcnet.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code svcnet up}: the all-in-one server. Opens (or creates) the embedded store in the data directory, starts
 * the apiserver, writes {@code DIR/kubeconfig}, prints how to use it, and runs until interrupted; Ctrl-C
 * (SIGINT) or SIGTERM stops it cleanly, and starting again keeps every object.
 */
@Command(name = "up", mixinStandardHelpOptions = true, description = "Start svcnet: apiserver and embedded store.")
final class UpCommand implements Callable<Integer> {

    @Option(names = "--port", description = "apiserver HTTPS port (default: ${DEFAULT-VALUE}; 0 = any free port)", defaultValue = "6443")
    int port;

    @Option(names = "--address", description = "address to listen on (default: ${DEFAULT-VALUE})", defaultValue = "127.0.0.1")
    String address;

    @Option(names = "--data-dir", description = "state, certificates and kubeconfig (default: ${DEFAULT-VALUE})", defaultValue = "./.svcnet")
    Path dataDir;

    @Option(names = "--service-cidr", description = "range ClusterIPs are allocated from (default: ${DEFAULT-VALUE})",
            defaultValue = ApiServer.Config.DEFAULT_SERVICE_CIDR)
    String serviceCidr;

    @Option(names = "--service-node-port-range", description = "range nodePorts are allocated from (default: ${DEFAULT-VALUE})",
            defaultValue = ApiServer.Config.DEFAULT_NODE_PORT_RANGE)
    String nodePortRange;

    @Override
    public Integer call() throws Exception {
        Path dir = dataDir.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        Store store = SqliteStore.open(dir.resolve("state.db"));
        ApiServer server;
        try {
            server = ApiServer.start(ApiServer.Config.defaults(dir, port).withHost(address).withServiceRanges(serviceCidr, nodePortRange), store);
        } catch (RuntimeException e) {
            store.close();
            System.err.println("svcnet: " + e.getMessage());
            return 1;
        }
        Path kubeconfig = server.writeKubeconfig(dir.resolve("kubeconfig"));
        KubernetesClient client = ApiClients.connect(server.url(), server.token(), server.caCertFile());
        Controllers controllers = Controllers.start(client, Controllers.Options.defaults());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("svcnet: stopping");
            controllers.close();
            client.close();
            server.close();
            store.close();
            stopped.countDown();
        }, "svcnet-shutdown"));
        System.out.println("svcnet: apiserver listening on " + server.url());
        System.out.println("svcnet: data in " + dir);
        System.out.println();
        System.out.println("  export KUBECONFIG=" + kubeconfig);
        System.out.println("  kubectl get svc");
        System.out.println();
        System.out.flush();
        stopped.await();
        return 0;
    }
}
