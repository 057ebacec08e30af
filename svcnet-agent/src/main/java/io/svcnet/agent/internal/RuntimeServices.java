package io.svcnet.agent.internal;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.netty.channel.EventLoopGroup;
import io.svcnet.agent.AgentConfig;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every pod and container of one agent shares, owned and shut down by the agent.
 *
 * @param client     the API client
 * @param config     the agent's configuration
 * @param scheduler  timers and short non-blocking-ish work: container starts, restarts, status syncs
 * @param blocking   work that may block for long: graceful stops (up to a grace period), exec requests, log follows
 * @param probes     probe attempts (block up to a probe's timeout)
 * @param statusWriters pods/status writes (one blocking API call each; several in flight so a burst of pods is not
 *                   serialized behind one connection)
 * @param loops      Netty event loops of the built-in images and the kubelet server
 * @param ips        the node's pod IP pool
 * @param netns      the node's namespaces in the netns backend; null in the loopback backend
 * @param hostPorts  how the node serves pods' hostPorts (loopback: {@link HostPortForwarder}; netns: {@link HostPortRules})
 * @param events     the kubelet's event recorder (pod and node events, repeats counted up), writing on {@code statusWriters}
 */
public record RuntimeServices(KubernetesClient client, AgentConfig config, ScheduledExecutorService scheduler, ExecutorService blocking,
        ExecutorService probes, ExecutorService statusWriters, EventLoopGroup loops, PodIpAllocator ips, NetnsNode netns,
        HostPorts hostPorts, KubeletEvents events) {}
