/**
 * svcnet-proxy: the node's service proxy. {@link io.svcnet.proxy.ServiceProxy} is the userspace mode (a Netty L4
 * TCP/UDP proxy with the IPVS schedulers, ClientIP session affinity, connect retry, traffic policies and
 * healthCheckNodePorts), configured by {@link io.svcnet.proxy.ProxyConfig}. Everything else lives in
 * {@code io.svcnet.proxy.internal} and may change at any time.
 *
 * <p>Service annotations read: {@code svcnet.io/scheduler} (random, rr, wrr, lc, wlc, sh, dh, sed, nq) and
 * {@code svcnet.io/endpoint-weights} ({@code IP=weight,…}).
 */
package io.svcnet.proxy;
