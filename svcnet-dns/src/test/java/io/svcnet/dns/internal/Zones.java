package io.svcnet.dns.internal;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/** Test fixtures: Services and EndpointSlices as fabric8 objects, a populated table, and dnsjava queries. */
final class Zones {

    static final ZoneSettings SETTINGS = new ZoneSettings("cluster.local", 5, 1700000000L);

    private Zones() {
    }

    static Service clusterIp(String ns, String name, String ip, String... namedPorts) {
        ServiceBuilder b = new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(ip).withClusterIPs(ip).endSpec();
        int port = 80;
        for (String p : namedPorts) {
            b.editSpec().addNewPort().withName(p).withProtocol("TCP").withPort(port++).endPort().endSpec();
        }
        b.editSpec().addNewPort().withProtocol("UDP").withPort(9999).endPort().endSpec(); // unnamed: no SRV
        return b.build();
    }

    static Service headless(String ns, String name) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withClusterIP("None").withClusterIPs("None").addNewPort().withName("http").withPort(80).endPort().endSpec().build();
    }

    static Service externalName(String ns, String name, String target) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withType("ExternalName").withExternalName(target).endSpec().build();
    }

    /** A slice; each endpoint is "ip", "ip=hostname" or "!ip" (not ready). */
    static EndpointSlice slice(String ns, String svc, String sliceName, String... endpoints) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(sliceName)
                .addToLabels(KubeWatch.SERVICE_NAME_LABEL, svc).endMetadata()
                .withAddressType("IPv4").addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort();
        for (String e : endpoints) {
            boolean ready = !e.startsWith("!");
            String s = ready ? e : e.substring(1);
            String[] f = s.split("=");
            b.addNewEndpoint().withAddresses(f[0]).withHostname(f.length > 1 ? f[1] : null)
                    .withNewConditions().withReady(ready).endConditions().endEndpoint();
        }
        return b.build();
    }

    static void put(ZoneTable t, Service svc, EndpointSlice... slices) {
        t.replace("svc:" + svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName(),
                ServiceRecords.compute(svc, List.of(slices), t.settings().zone()));
    }

    /** The table most tests use. */
    static ZoneTable sample() {
        ZoneTable t = new ZoneTable(SETTINGS);
        put(t, clusterIp("default", "kubernetes", "127.96.0.1", "https"));
        put(t, clusterIp("default", "web", "127.96.0.20", "http", "metrics"));
        put(t, headless("default", "httpd-svc"), slice("default", "httpd-svc", "s1",
                "127.244.0.11=pet-0", "127.244.0.12", "!127.244.0.13"));
        put(t, headless("default", "empty"), slice("default", "empty", "s2", "!127.244.0.30"));
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add("127.244." + (1 + i / 250) + "." + (i % 250 + 1));
        }
        put(t, headless("big", "many"), slice("big", "many", "s3", many.toArray(String[]::new)));
        put(t, externalName("default", "ext", "www.example.com"));
        put(t, externalName("default", "inner", "web.default.svc.cluster.local."));
        t.markSynced();
        return t;
    }

    static byte[] query(String name, int type) throws Exception {
        return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)).toWire();
    }

    static byte[] ednsQuery(String name, int type, int size, int version) throws Exception {
        Message m = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
        m.addRecord(new OPTRecord(size, 0, version), Section.ADDITIONAL);
        return m.toWire();
    }
}
