package io.svcnet.apiserver.internal;

/**
 * What the client asked for in {@code Accept}: a meta.k8s.io Table (as {@code kubectl get} asks), plain JSON,
 * or YAML. Protobuf-only requests get 406, as svcnet speaks JSON only.
 */
record Negotiation(boolean table, boolean yaml) {

    static final String TABLE_CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io";

    static Negotiation of(String accept) {
        if (accept == null || accept.isBlank()) {
            return new Negotiation(false, false);
        }
        boolean json = false;
        boolean yaml = false;
        boolean table = false;
        for (String part : accept.split(",")) {
            String p = part.trim().toLowerCase(java.util.Locale.ROOT);
            String media = p.contains(";") ? p.substring(0, p.indexOf(';')).trim() : p;
            boolean asTable = p.contains("as=table") && p.contains("g=meta.k8s.io") && (p.contains("v=v1;") || p.endsWith("v=v1") || p.contains("v=v1beta1"));
            if (media.equals("application/json") && asTable) {
                table = true;
            } else if (p.contains("as=")) {
                continue; // another "as=" transformation we do not offer (PartialObjectMetadata, discovery v2)
            } else if (media.equals("application/json") || media.equals("*/*") || media.equals("application/*")) {
                json = true;
            } else if (media.equals("application/yaml")) {
                yaml = true;
            }
        }
        if (table) {
            return new Negotiation(true, false);
        }
        if (json) {
            return new Negotiation(false, false);
        }
        if (yaml) {
            return new Negotiation(false, true);
        }
        throw ApiException.notAcceptable();
    }
}
