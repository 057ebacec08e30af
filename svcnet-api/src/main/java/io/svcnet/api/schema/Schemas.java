package io.svcnet.api.schema;

import io.svcnet.api.schema.internal.SchemaRegistry;
import io.svcnet.api.schema.internal.SchemaRegistry.KindEntry;
import java.util.Optional;
import java.util.Set;

/**
 * The schemas of the kinds svcnet serves, written after the Kubernetes 1.32 API (k8s.io/api core/v1,
 * apps/v1, discovery/v1, networking/v1, coordination/v1 Lease, autoscaling/v1 Scale, meta/v1 Status, DeleteOptions and
 * WatchEvent), and the {@code *List} kinds. Each top-level schema has apiVersion, kind, metadata and
 * the kind's own fields (spec/status, data, subsets, ...). Definition names are those of Kubernetes'
 * OpenAPI ({@code io.k8s.api.core.v1.Service}).
 *
 * <p>Stateless facade over an immutable registry built on first use; safe from any thread.
 */
public final class Schemas {

    private Schemas() {}

    /**
     * The schema of a top-level kind ("v1"/"Service", "apps/v1"/"Deployment", "v1"/"ServiceList").
     *
     * @throws IllegalArgumentException when svcnet has no schema for that kind
     */
    public static SchemaNode forKind(String apiVersion, String kind) {
        return find(apiVersion, kind).orElseThrow(() -> new IllegalArgumentException(
                "no schema for apiVersion=" + apiVersion + " kind=" + kind));
    }

    /** Like {@link #forKind} but empty for an unknown kind. */
    public static Optional<SchemaNode> find(String apiVersion, String kind) {
        KindEntry e = SchemaRegistry.builtIn().kind(apiVersion, kind);
        return Optional.ofNullable(e).map(KindEntry::schema);
    }

    /** The OpenAPI definition name of a kind, e.g. {@code io.k8s.api.apps.v1.Deployment}. */
    public static Optional<String> definitionName(String apiVersion, String kind) {
        return find(apiVersion, kind).map(SchemaNode::definitionName);
    }

    /** A named definition, e.g. {@code io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta}. */
    public static Optional<SchemaNode> definition(String name) {
        return Optional.ofNullable(SchemaRegistry.builtIn().definitions().get(name));
    }

    /** Every definition name, sorted. */
    public static Set<String> definitionNames() {
        return SchemaRegistry.builtIn().definitions().keySet();
    }
}
