package io.svcnet.api.schema.internal;

import static io.svcnet.api.schema.internal.Dsl.def;
import static io.svcnet.api.schema.internal.Dsl.p;

import io.svcnet.api.schema.internal.Dsl.Prop;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Builds the top-level object kinds (apiVersion, kind, metadata plus their own fields, in the
 * alphabetical order Kubernetes' OpenAPI uses) and their {@code *List} companions. Stateless.
 */
final class Kinds {

    private Kinds() {}

    /** A kind with spec and status. */
    static Node object(String name, String description, Node spec, Node status) {
        return of(name, description, p("spec", spec), p("status", status));
    }

    /** A kind with the standard apiVersion/kind/metadata fields plus {@code fields}. */
    static Node of(String name, String description, Prop... fields) {
        List<Prop> all = new ArrayList<>(List.of(fields));
        all.add(p("apiVersion", Dsl.apiVersionField()));
        all.add(p("kind", Dsl.kindField()));
        all.add(p("metadata", MetaDefs.objectMetaField()));
        all.sort(Comparator.comparing(Prop::name));
        return def(name, description, all.toArray(Prop[]::new));
    }

    /** The {@code <Kind>List} definition holding {@code item}s. */
    static Node list(Node item, String itemsDescription) {
        String simple = item.definitionName().substring(item.definitionName().lastIndexOf('.') + 1);
        return def(item.definitionName() + "List", simple + "List is a list of " + simple + " objects.",
                p("apiVersion", Dsl.apiVersionField()),
                p("items", Dsl.plainList(itemsDescription, item)),
                p("kind", Dsl.kindField()),
                p("metadata", MetaDefs.listMetaField()))
                .withRequired("items");
    }
}
