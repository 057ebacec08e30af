package io.svcnet.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.netty.channel.nio.NioEventLoopGroup;
import io.svcnet.agent.internal.HostPortForwarder;
import io.svcnet.agent.internal.KubeletEvents;
import io.svcnet.agent.internal.KubeletServer;
import io.svcnet.agent.internal.NetnsNode;
import io.svcnet.agent.internal.NodeRegistration;
import io.svcnet.agent.internal.PodIpAllocator;
import io.svcnet.agent.internal.PodRuntime;
import io.svcnet.agent.internal.RuntimeServices;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * svcnet's kubelet: one per node. It registers a Node (addresses, podCIDR, capacity, nodeInfo, the kubelet
 * endpoint, conditions) and heartbeats through its Lease in kube-node-lease (status on change or every 6th beat); runs the pods bound to the node as local processes or built-in
 * images, each on its own pod IP, with probes, restart back-off and status reporting through {@code pods/status};
 * and serves container logs and command execution on its kubelet server for the apiserver's pods/log and
 * pods/exec. It talks to the apiserver only through the given fabric8 client (any Kubernetes apiserver works).
 * Container ports with a hostPort are served as the CNI portmap plugin does, for every container (process or
 * built-in), TCP and UDP, on the port's hostIP or else the node IP, for as long as the pod runs: in the loopback
 * backend by a userspace forwarder in the agent (ports below 1024 need root or a lowered
 * {@code net.ipv4.ip_unprivileged_port_start}; a port that cannot be bound keeps the pod in ContainerCreating with
 * a FailedCreatePodSandBox event), in the netns backend by iptables DNAT rules in the node namespace's
 * SVCNET-HOSTPORTS chain (without iptables the pod runs unexposed, with a Warning event saying so). hostNetwork pods
 * bind the node IP themselves.
 *
 * <pre>
 *   informer(pods, spec.nodeName=me) ─▶ PodRuntime ─▶ PodWorker per pod ─▶ ContainerRunner per container
 *                                                          │ status            │ process | built-in image, probes
 *                                                          ▼                   ▼
 *                                                 PATCH pods/status     logs under dataDir/pods/…
 *   heartbeat every heartbeatInterval ─▶ PUT lease, PATCH nodes/status   KubeletServer (HTTP on nodeIP) ─▶ logs, run
 * </pre>
 *
 * <p>Threading: a scheduler ({@code svcnet-agent-<node>-N}, 2 threads) runs starts, restarts, status writes and
 * heartbeats; a cached pool ({@code svcnet-agent-<node>-blocking}) runs graceful stops, exec and log streams; a
 * probe pool ({@code svcnet-agent-<node>-probe}, 4 threads) runs probe attempts; a status pool
 * ({@code svcnet-agent-<node>-status}, 8 threads) writes pods/status; 2 Netty event loops serve the
 * built-in images and the kubelet server. {@link #close()} stops the heartbeat, stops every pod (SIGTERM, then
 * SIGKILL after min(terminationGracePeriodSeconds, {@link AgentConfig#maxShutdownGrace()})), and releases all of
 * it; no process started by the agent outlives it. In the loopback backend a pod IP is one no other process on the
 * machine uses or has claimed ({@link PodIpAllocator#sharedLoopback}), so clusters side by side never share one. With the netns backend, start builds the node's namespaces
 * (removing a crashed run's leftovers first) and close deletes every namespace the agent created. The Node object is left as is: the
 * {@link NodeLifecycleController} turns it NotReady once its heartbeat is stale, as for a crashed kubelet.
 */
public final class NodeAgent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);

    private final AgentConfig config;
    private final RuntimeServices rt;
    private final PodRuntime pods;
    private final KubeletServer server;
    private volatile boolean closed;

    private NodeAgent(AgentConfig config, RuntimeServices rt, PodRuntime pods, KubeletServer server) {
        this.config = config;
        this.rt = rt;
        this.pods = pods;
        this.server = server;
    }

    /**
     * Starts the agent: kubelet server, Node registration, the first heartbeat, then the pod informer. Returns once
     * the node is registered and the pods bound to it are known.
     *
     * @throws IllegalStateException when the backend is unsupported, a port cannot be bound or the apiserver refuses
     */
    public static NodeAgent start(KubernetesClient client, AgentConfig config) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(config, "config");
        try {
            Files.createDirectories(config.dataDir().resolve("pods"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the agent's data dir " + config.dataDir() + ": " + e.getMessage(), e);
        }
        String prefix = "svcnet-agent-" + config.nodeName();
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(2, threads(prefix + "-"));
        scheduler.setRemoveOnCancelPolicy(true);
        ExecutorService blocking = Executors.newCachedThreadPool(threads(prefix + "-blocking-"));
        ExecutorService probes = Executors.newFixedThreadPool(4, threads(prefix + "-probe-"));
        ExecutorService statusWriters = Executors.newFixedThreadPool(8, threads(prefix + "-status-"));
        NioEventLoopGroup loops = new NioEventLoopGroup(2, threads(prefix + "-io-"));
        NetnsNode netns = null;
        KubeletServer server = null;
        PodRuntime pods = null;
        PodIpAllocator ips = null;
        try {
            if (config.backend() == NetworkBackend.NETNS) {
                netns = NetnsNode.create(config);
            }
            // loopback pod IPs are machine-wide, shared with every other svcnet on the machine; netns ones are the cluster's own
            ips = netns != null ? new PodIpAllocator(config.podCidr()) : PodIpAllocator.sharedLoopback(config.podCidr());
            RuntimeServices rt = new RuntimeServices(client, config, scheduler, blocking, probes, statusWriters, loops,
                    ips, netns, netns != null ? netns.hostPorts() : new HostPortForwarder(loops),
                    new KubeletEvents(client, statusWriters, config.nodeName(), config.clock()));
            pods = new PodRuntime(rt);
            server = KubeletServer.start(rt, pods);
            NodeRegistration registration = new NodeRegistration(client, config, server.port(), rt.events());
            registration.register();
            NodeAgent agent = new NodeAgent(config, rt, pods, server);
            long every = config.heartbeatInterval().toMillis();
            scheduler.scheduleWithFixedDelay(() -> agent.heartbeat(registration), every, every, TimeUnit.MILLISECONDS);
            pods.start(InformerSync.LIMIT);
            LOG.info("node agent {} up: node IP {}, pod CIDR {}, kubelet server port {}", config.nodeName(), config.nodeIp(), config.podCidr(), server.port());
            return agent;
        } catch (RuntimeException e) {
            if (pods != null) {
                pods.close(Duration.ZERO);
            }
            if (server != null) {
                server.close();
            }
            shutdown(scheduler, blocking, probes, statusWriters, loops);
            if (ips != null) {
                ips.close();
            }
            if (netns != null) {
                netns.close();
            }
            throw e;
        }
    }

    private void heartbeat(NodeRegistration registration) {
        if (closed) {
            return;
        }
        try {
            registration.heartbeat();
        } catch (RuntimeException e) {
            if (e instanceof io.fabric8.kubernetes.client.KubernetesClientException k && k.getCode() == 404) {
                LOG.warn("Node {} was deleted; registering it again", config.nodeName());
                try {
                    registration.register();
                } catch (RuntimeException again) {
                    LOG.warn("re-registering Node {} failed: {}", config.nodeName(), again.getMessage());
                }
                return;
            }
            LOG.warn("heartbeat of Node {} failed (will retry): {}", config.nodeName(), e.getMessage());
        }
    }

    public String nodeName() {
        return config.nodeName();
    }

    public String nodeIp() {
        return config.nodeIp();
    }

    /** The port the kubelet server listens on (the Node's daemonEndpoints.kubeletEndpoint.Port). */
    public int kubeletPort() {
        return server.port();
    }

    /** {@code http://<kubeletAddress>:<port>}, the base of the kubelet API (the node IP in the loopback backend). */
    public String kubeletUrl() {
        return "http://" + config.kubeletAddress() + ":" + server.port();
    }

    /** How many pods this agent currently runs. */
    public int podCount() {
        return pods.podCount();
    }

    /** Stops heartbeats, every pod and process, the kubelet server and all threads. Idempotent; the client stays open. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pods.close();
        server.close();
        shutdown(rt.scheduler(), rt.blocking(), rt.probes(), rt.statusWriters(), (NioEventLoopGroup) rt.loops());
        rt.ips().close();
        if (rt.netns() != null) {
            rt.netns().close();
        }
        LOG.info("node agent {} stopped", config.nodeName());
    }

    private static void shutdown(ScheduledExecutorService scheduler, ExecutorService blocking, ExecutorService probes,
            ExecutorService statusWriters, NioEventLoopGroup loops) {
        scheduler.shutdownNow();
        probes.shutdownNow();
        statusWriters.shutdownNow();
        blocking.shutdownNow();
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            probes.awaitTermination(5, TimeUnit.SECONDS);
            statusWriters.awaitTermination(5, TimeUnit.SECONDS);
            blocking.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
