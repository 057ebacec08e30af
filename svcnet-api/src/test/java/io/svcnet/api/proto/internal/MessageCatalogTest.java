package io.svcnet.api.proto.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MessageCatalogTest {

    @Test
    void shippedTableDecodesEveryServedKind() {
        MessageCatalog catalog = MessageCatalog.load();
        for (ResourceType type : ResourceTypes.all()) {
            assertThat(catalog.kind(type.apiVersion(), type.kind())).as(type.apiVersion() + " " + type.kind()).isNotNull();
        }
        assertThat(catalog.kinds()).hasSize(ResourceTypes.all().size());
        FieldSchema replicas = catalog.message("apps/v1.DeploymentSpec").field(1);
        assertThat(replicas).isEqualTo(new FieldSchema(1, "replicas", FieldType.INT32, null,
                FieldSchema.Cardinality.SINGLE, false));
        assertThat(catalog.message("core/v1.Probe").field(1).inline()).isTrue();
        assertThat(catalog.message("meta/v1.ObjectMeta").field(8).omitEmpty()).as("creationTimestamp omitzero").isTrue();
    }

    @Test
    void brokenTablesFailAtLoadNamingTheLine() {
        assertThatThrownBy(() -> MessageCatalog.parse("message a.B\n  1 x a.Missing\n"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("unknown message a.Missing");
        assertThatThrownBy(() -> MessageCatalog.parse("message a.B\n  1 x string\n  1 y string\n"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("field 1 twice");
        assertThatThrownBy(() -> MessageCatalog.parse("message a.B\n  1 x string sometimes\n"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("line 2");
        assertThatThrownBy(() -> MessageCatalog.parse("kind v1 Foo a.Nope\n"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("a.Nope");
    }

    @Test
    void nestingDeeperThan64IsRefused() {
        MessageCatalog catalog = MessageCatalog.parse("message t.Node\n  1 child t.Node\n  2 name string\n");
        MessageDecoder decoder = new MessageDecoder(catalog);

        byte[] deep64 = nested(63);
        ObjectNode ok = Json.object();
        decoder.decodeInto(ok, catalog.message("t.Node"), new WireReader(deep64, 0, deep64.length), 1);
        assertThat(ok.at("/child".repeat(63) + "/name").textValue()).isEqualTo("leaf");

        byte[] deep65 = nested(64);
        assertThatThrownBy(() -> decoder.decodeInto(Json.object(), catalog.message("t.Node"),
                        new WireReader(deep65, 0, deep65.length), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nested deeper than 64");
    }

    /** A t.Node with {@code levels} nested children, the innermost named "leaf". */
    private static byte[] nested(int levels) {
        byte[] inner = {0x12, 4, 'l', 'e', 'a', 'f'};
        for (int i = 0; i < levels; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0x0a);
            int len = inner.length;
            while (len >= 0x80) {
                out.write((len & 0x7f) | 0x80);
                len >>>= 7;
            }
            out.write(len);
            out.writeBytes(inner);
            inner = out.toByteArray();
        }
        return inner;
    }
}
