package io.svcnet.api.resource;

import java.util.List;
import java.util.Objects;

/**
 * One served REST resource: its group/version/kind, URL name, scope, discovery metadata and etcd key
 * prefix. Immutable.
 *
 * @param group        API group, "" for core
 * @param version      API version, e.g. "v1"
 * @param kind         kind, e.g. "Service"
 * @param plural       resource name in URLs, e.g. "services"
 * @param singular     singular name, e.g. "service"
 * @param namespaced   whether objects live in a namespace
 * @param shortNames   kubectl short names, e.g. "svc"
 * @param categories   discovery categories, e.g. "all"
 * @param subresources subresources served, e.g. "status", "scale"
 * @param keyPrefix    store key prefix as kube-apiserver lays it out, e.g. "/registry/services/specs/"
 */
public record ResourceType(
        String group,
        String version,
        String kind,
        String plural,
        String singular,
        boolean namespaced,
        List<String> shortNames,
        List<String> categories,
        List<String> subresources,
        String keyPrefix) {

    public ResourceType {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(plural, "plural");
        shortNames = List.copyOf(shortNames);
        categories = List.copyOf(categories);
        subresources = List.copyOf(subresources);
    }

    /** "v1" for core, "apps/v1" otherwise: the value of {@code apiVersion}. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** "/api/v1" or "/apis/apps/v1". */
    public String groupVersionPath() {
        return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    }

    /** "services" for core, "deployments.apps" otherwise: the name kube-apiserver uses in messages. */
    public String qualifiedResource() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    public boolean hasSubresource(String name) {
        return subresources.contains(name);
    }

    /** The store key of an object; {@code namespace} is ignored for cluster-scoped types. */
    public String key(String namespace, String name) {
        return namespaced ? keyPrefix + namespace + "/" + name : keyPrefix + name;
    }

    /** The store prefix for all objects of this type in {@code namespace}, or in all namespaces when null. */
    public String prefix(String namespace) {
        return namespaced && namespace != null ? keyPrefix + namespace + "/" : keyPrefix;
    }
}
