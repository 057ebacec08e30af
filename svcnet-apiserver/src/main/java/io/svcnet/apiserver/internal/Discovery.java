package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import java.util.List;

/**
 * Legacy (unaggregated) API discovery: {@code /api}, {@code /apis}, {@code /apis/<group>} and the
 * APIResourceLists of each group-version, with verbs, short names, categories and subresources as
 * kube-apiserver 1.32 publishes them. kubectl reads the plain-JSON answers when the server does not offer the
 * aggregated format. {@code deployments/scale} names autoscaling/v1 Scale, which {@code kubectl scale} needs.
 */
final class Discovery {

    private static final List<String> ALL_VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    private final String serverAddress;

    Discovery(String serverAddress) {
        this.serverAddress = serverAddress;
    }

    ObjectNode apiVersions() {
        ObjectNode o = Json.object();
        o.put("kind", "APIVersions");
        o.putArray("versions").add("v1");
        ArrayNode a = o.putArray("serverAddressByClientCIDRs");
        ObjectNode c = a.addObject();
        c.put("clientCIDR", "0.0.0.0/0");
        c.put("serverAddress", serverAddress);
        return o;
    }

    ObjectNode apiGroupList() {
        ObjectNode o = Json.object();
        o.put("kind", "APIGroupList");
        o.put("apiVersion", "v1");
        ArrayNode groups = o.putArray("groups");
        for (String g : ResourceTypes.groups()) {
            groups.add(apiGroup(g));
        }
        return o;
    }

    /** The APIGroup of {@code group}, or null when not served. */
    ObjectNode apiGroup(String group) {
        List<ResourceType> types = ResourceTypes.all().stream().filter(t -> t.group().equals(group)).toList();
        if (types.isEmpty() || group.isEmpty()) {
            return null;
        }
        ObjectNode g = Json.object();
        g.put("kind", "APIGroup");
        g.put("apiVersion", "v1");
        g.put("name", group);
        ArrayNode versions = g.putArray("versions");
        String version = types.get(0).version();
        ObjectNode v = versions.addObject();
        v.put("groupVersion", group + "/" + version);
        v.put("version", version);
        ObjectNode pref = g.putObject("preferredVersion");
        pref.put("groupVersion", group + "/" + version);
        pref.put("version", version);
        return g;
    }

    /** The APIResourceList for a group-version ("v1", "apps/v1"), or null when not served. */
    ObjectNode resourceList(String groupVersion) {
        List<ResourceType> types = ResourceTypes.all().stream().filter(t -> t.apiVersion().equals(groupVersion)).toList();
        if (types.isEmpty()) {
            return null;
        }
        ObjectNode o = Json.object();
        o.put("kind", "APIResourceList");
        o.put("apiVersion", "v1");
        o.put("groupVersion", groupVersion);
        ArrayNode resources = o.putArray("resources");
        for (ResourceType t : types) {
            ObjectNode r = resources.addObject();
            r.put("name", t.plural());
            r.put("singularName", t.singular());
            r.put("namespaced", t.namespaced());
            r.put("kind", t.kind());
            ArrayNode verbs = r.putArray("verbs");
            List<String> vs = t == ResourceTypes.NAMESPACES
                    ? List.of("create", "delete", "get", "list", "patch", "update", "watch") : ALL_VERBS;
            vs.forEach(verbs::add);
            if (!t.shortNames().isEmpty()) {
                ArrayNode sn = r.putArray("shortNames");
                t.shortNames().forEach(sn::add);
            }
            if (!t.categories().isEmpty()) {
                ArrayNode cat = r.putArray("categories");
                t.categories().forEach(cat::add);
            }
            r.put("storageVersionHash", Integer.toHexString(t.kind().hashCode()));
            List<String> subs = new java.util.ArrayList<>(t.subresources());
            if (t == ResourceTypes.PODS || t == ResourceTypes.SERVICES) {
                subs.add("proxy"); // served by ProxySubresourceHandler, routed before ResourcePath
            }
            if (t == ResourceTypes.PODS) {
                subs.add("attach"); // connect subresources served by PodConnectHandler
                subs.add("portforward");
            }
            for (String sub : subs) {
                ObjectNode s = resources.addObject();
                s.put("name", t.plural() + "/" + sub);
                s.put("singularName", "");
                s.put("namespaced", t.namespaced());
                if (sub.equals("proxy")) {
                    s.put("kind", t == ResourceTypes.PODS ? "PodProxyOptions" : "ServiceProxyOptions");
                } else if (sub.equals("log") || sub.equals("exec")) {
                    s.put("kind", sub.equals("log") ? "Pod" : "PodExecOptions");
                } else if (sub.equals("attach") || sub.equals("portforward")) {
                    s.put("kind", sub.equals("attach") ? "PodAttachOptions" : "PodPortForwardOptions");
                } else if (sub.equals("scale")) {
                    s.put("group", "autoscaling");
                    s.put("version", "v1");
                    s.put("kind", "Scale");
                } else {
                    s.put("kind", t.kind());
                }
                ArrayNode sv = s.putArray("verbs");
                if (sub.equals("finalize")) {
                    sv.add("update");
                } else if (sub.equals("log")) {
                    sv.add("get");
                } else if (sub.equals("exec") || sub.equals("attach") || sub.equals("portforward")) {
                    sv.add("create").add("get");
                } else if (sub.equals("proxy")) {
                    sv.add("create").add("delete").add("get").add("patch").add("update");
                } else {
                    sv.add("get").add("patch").add("update");
                }
            }
        }
        return o;
    }

    static ObjectNode version() {
        ObjectNode o = Json.object();
        o.put("major", "1");
        o.put("minor", "32");
        o.put("gitVersion", "v1.32.0-svcnet");
        o.put("gitCommit", "svcnet");
        o.put("gitTreeState", "clean");
        o.put("buildDate", "2026-11-23T00:00:00Z");
        o.put("goVersion", "java" + System.getProperty("java.version"));
        o.put("compiler", "javac");
        o.put("platform", System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT) + "/" + System.getProperty("os.arch"));
        return o;
    }
}
