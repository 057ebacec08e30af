/**
 * Implementation of svcnet's cluster DNS; may change at any time. Data flow: {@link io.svcnet.dns.internal.KubeWatch}
 * (fabric8 informers) → {@link io.svcnet.dns.internal.ServiceRecords} (spec rules) → {@link io.svcnet.dns.internal.ZoneTable}
 * (name → prepared answers) ← {@link io.svcnet.dns.internal.QueryProcessor} (wire codec, per event loop) ←
 * {@link io.svcnet.dns.internal.DnsServer} (Netty UDP/TCP); {@link io.svcnet.dns.internal.Forwarder} and
 * {@link io.svcnet.dns.internal.ResponseCache} handle names outside the zone.
 */
package io.svcnet.dns.internal;
