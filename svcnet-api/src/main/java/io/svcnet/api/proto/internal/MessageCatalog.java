package io.svcnet.api.proto.internal;

import io.svcnet.api.proto.internal.FieldSchema.Cardinality;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The immutable table of Kubernetes protobuf messages, read from {@code kubernetes-messages.txt} next to this
 * class (the file's header documents the format and where the numbers come from). Loading checks that every
 * message a field or kind names exists, so a broken table fails at start-up, not on a request. Immutable once
 * built, so one instance may be shared by any number of threads.
 */
public final class MessageCatalog {

    private static final String RESOURCE = "kubernetes-messages.txt";

    private final Map<String, MessageSchema> messages;
    private final Map<String, MessageSchema> kinds;

    private MessageCatalog(Map<String, MessageSchema> messages, Map<String, MessageSchema> kinds) {
        this.messages = Map.copyOf(messages);
        this.kinds = Map.copyOf(kinds);
    }

    /** Loads the catalogue shipped with this module. */
    public static MessageCatalog load() {
        try (InputStream in = MessageCatalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " missing next to " + MessageCatalog.class);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }

    /** Parses catalogue text; throws {@link IllegalStateException} naming the line on any error. */
    public static MessageCatalog parse(String text) {
        Map<String, List<FieldSchema>> fields = new HashMap<>();
        Map<String, String> kindToMessage = new HashMap<>();
        String current = null;
        int lineNo = 0;
        try (BufferedReader r = new BufferedReader(new java.io.StringReader(text))) {
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                String[] t = trimmed.split("\\s+");
                if (t[0].equals("kind") && t.length == 4) {
                    if (kindToMessage.put(t[1] + " " + t[2], t[3]) != null) {
                        throw new IllegalStateException("kind " + t[2] + " in " + t[1] + " declared twice");
                    }
                    current = null;
                } else if (t[0].equals("message") && t.length == 2) {
                    current = t[1];
                    if (fields.putIfAbsent(current, new ArrayList<>()) != null) {
                        throw new IllegalStateException("message " + current + " declared twice");
                    }
                } else if (current != null && line.startsWith(" ") && (t.length == 3 || t.length == 4)) {
                    fields.get(current).add(field(t));
                } else {
                    throw new IllegalStateException("cannot parse '" + trimmed + "'");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new IllegalStateException(RESOURCE + " line " + lineNo + ": " + e.getMessage(), e);
        }
        Map<String, MessageSchema> messages = new HashMap<>();
        fields.forEach((name, list) -> messages.put(name, new MessageSchema(name, list)));
        for (MessageSchema m : messages.values()) {
            for (FieldSchema f : m.fields()) {
                if (f.messageName() != null && !messages.containsKey(f.messageName())) {
                    throw new IllegalStateException(RESOURCE + ": " + m.name() + " field " + f.number()
                            + " names unknown message " + f.messageName());
                }
            }
        }
        Map<String, MessageSchema> kinds = new HashMap<>();
        kindToMessage.forEach((kind, message) -> {
            MessageSchema m = messages.get(message);
            if (m == null) {
                throw new IllegalStateException(RESOURCE + ": kind " + kind + " names unknown message " + message);
            }
            kinds.put(kind, m);
        });
        return new MessageCatalog(messages, kinds);
    }

    private static FieldSchema field(String[] t) {
        int number = Integer.parseInt(t[0]);
        String json = t[1].equals("(inline)") ? null : t[1];
        String type = t[2];
        Cardinality cardinality = Cardinality.SINGLE;
        if (type.startsWith("[]")) {
            cardinality = Cardinality.REPEATED;
            type = type.substring(2);
        } else if (type.startsWith("map[") && type.endsWith("]")) {
            cardinality = Cardinality.MAP;
            type = type.substring(4, type.length() - 1);
        }
        boolean omitEmpty = false;
        if (t.length == 4) {
            if (!t[3].equals("omitempty")) {
                throw new IllegalStateException("unknown flag " + t[3]);
            }
            omitEmpty = true;
        }
        FieldType ft = FieldType.ofName(type);
        return new FieldSchema(number, json, ft, ft == FieldType.MESSAGE ? type : null, cardinality, omitEmpty);
    }

    /** The message of a top-level kind, e.g. ("apps/v1", "Deployment"), or null when it is not in the table. */
    public MessageSchema kind(String apiVersion, String kind) {
        return kinds.get(apiVersion + " " + kind);
    }

    /** A message by name, e.g. {@code core/v1.PodSpec}; throws when the name is unknown. */
    public MessageSchema message(String name) {
        MessageSchema m = messages.get(name);
        if (m == null) {
            throw new IllegalArgumentException("no message " + name + " in " + RESOURCE);
        }
        return m;
    }

    /** The kinds the table can decode, as "apiVersion Kind". */
    public java.util.Set<String> kinds() {
        return kinds.keySet();
    }
}
