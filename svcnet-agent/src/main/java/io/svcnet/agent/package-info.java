/**
 * svcnet's node side: {@link io.svcnet.agent.NodeAgent} (the kubelet: Node registration and heartbeats, pods as local
 * processes or built-in images on their own pod IPs, probes, restart back-off, pods/status, and a kubelet server for
 * logs and run), plus the two cluster-wide loops that belong with it, {@link io.svcnet.agent.PodScheduler} and
 * {@link io.svcnet.agent.NodeLifecycleController}. Everything talks to the apiserver through one fabric8 client.
 * Implementation details live in {@code io.svcnet.agent.internal}.
 */
package io.svcnet.agent;
