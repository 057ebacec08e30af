/**
 * svcnet-dns: the cluster DNS server (Kubernetes DNS-Based Service Discovery, schema 1.1.0, with CoreDNS's
 * behaviour for negatives, pods modes and ExternalName). Public API: {@link io.svcnet.dns.ClusterDns} and
 * {@link io.svcnet.dns.DnsConfig}; everything else lives in {@code io.svcnet.dns.internal} and may change.
 */
package io.svcnet.dns;
