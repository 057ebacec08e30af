package io.svcnet.controllers.bench;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.svcnet.controllers.Controllers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The controllers alone in their own JVM, as kube-controller-manager runs, for {@link EndpointPropagationBench}:
 * {@code ControllersProcess <url> <token> <ca-file>}. Prints {@code READY <epoch ms>} once the informers have synced
 * and the workers run; then obeys stdin lines: {@code MEM} → two full GCs, prints {@code MEM <heap used> <heap committed>}
 * in bytes; {@code STOP} (or end of input) → closes the controllers and exits. {@code CONTROLLERS_WORKERS=N} in the
 * environment gives the endpoints and EndpointSlice controllers N workers each (default: upstream's 5).
 */
public final class ControllersProcess {

    private ControllersProcess() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: ControllersProcess <url> <token> <ca-file>");
        }
        Config cfg = new ConfigBuilder(Config.empty()).withMasterUrl(args[0]).withOauthToken(args[1])
                .withCaCertData(Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(args[2]))))
                .withRequestTimeout(60_000).withWatchReconnectInterval(250).build();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(cfg).build();
                Controllers controllers = Controllers.start(client, options())) {
            System.out.println("READY " + System.currentTimeMillis());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("STOP"); line = in.readLine()) {
                if (line.equals("MEM")) {
                    System.gc();
                    System.gc();
                    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
                    System.out.println("MEM " + heap.getUsed() + " " + heap.getCommitted());
                    System.out.flush();
                }
            }
        }
        System.out.println("STOPPED");
    }

    /** The defaults, with {@code CONTROLLERS_WORKERS} (if set) workers for each endpoints controller. */
    private static Controllers.Options options() {
        Controllers.Options d = Controllers.Options.defaults();
        String w = System.getenv("CONTROLLERS_WORKERS");
        if (w == null || w.isBlank()) {
            return d;
        }
        int n = Integer.parseInt(w.trim());
        return new Controllers.Options(n, n, d.replicaSetWorkers(), d.deploymentWorkers(), d.gcWorkers(), d.maxEndpointsPerSlice(),
                d.resync(), d.syncTimeout(), d.clock());
    }
}
