package io.svcnet.api.patch;

import static io.svcnet.api.patch.Jsons.json;
import static io.svcnet.api.patch.Jsons.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.patch.internal.FieldSet;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ManagedFieldsTest {

    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
    private static final Instant T1 = Instant.parse("2024-05-01T13:00:00Z");
    private static final String P80 = "'k:{\\'port\\':80,\\'protocol\\':\\'TCP\\'}'";

    private static final String STORED = "{'apiVersion':'v1','kind':'Service','metadata':{'name':'web','namespace':'default',"
            + "'uid':'u1','resourceVersion':'5','creationTimestamp':'2024-05-01T12:00:00Z','labels':{'app':'web'}},"
            + "'spec':{'selector':{'app':'web'},'ports':[{'port':80,'protocol':'TCP','targetPort':8080}],"
            + "'type':'ClusterIP','sessionAffinity':'None'}}";

    @Test
    void createOwnsEverythingButIdentity() {
        ObjectNode result = ManagedFields.recordUpdate(null, obj(STORED), TestSchema.SERVICE, "kubectl-create", "Update", "v1", T0);

        assertThat(result.at("/metadata/managedFields")).isEqualTo(json("[{'manager':'kubectl-create','operation':'Update',"
                + "'apiVersion':'v1','time':'2024-05-01T12:00:00Z','fieldsType':'FieldsV1','fieldsV1':{"
                + "'f:metadata':{'f:labels':{'.':{},'f:app':{}}},"
                + "'f:spec':{'f:ports':{'.':{}," + P80 + ":{'.':{},'f:port':{},'f:protocol':{},'f:targetPort':{}}},"
                + "'f:selector':{'.':{},'f:app':{}},'f:sessionAffinity':{},'f:type':{}}}}]"));
        ObjectNode without = result.deepCopy();
        ((ObjectNode) without.get("metadata")).remove("managedFields");
        assertThat(without).isEqualTo(obj(STORED));
    }

    @Test
    void fieldsV1KeysAreInKubernetesOrder() {
        ObjectNode result = ManagedFields.recordUpdate(null, obj(STORED), TestSchema.SERVICE, "kubectl-create", "Update", "v1", T0);

        JsonNode spec = result.at("/metadata/managedFields/0/fieldsV1/f:spec");
        assertThat(spec.fieldNames()).toIterable().containsExactly("f:ports", "f:selector", "f:sessionAffinity", "f:type");
        assertThat(spec.get("f:ports").fieldNames()).toIterable().first().isEqualTo(".");
        assertThat(result.at("/metadata/managedFields/0").fieldNames()).toIterable()
                .containsExactly("manager", "operation", "apiVersion", "time", "fieldsType", "fieldsV1");
    }

    @Test
    void anUpdateTakesOverWhatItChanges() {
        ObjectNode created = ManagedFields.recordUpdate(null, obj(STORED), TestSchema.SERVICE, "kubectl-create", "Update", "v1", T0);
        ObjectNode edited = created.deepCopy();
        edited.withObjectProperty("spec").put("sessionAffinity", "ClientIP");
        edited.withObjectProperty("metadata").withObjectProperty("labels").put("tier", "front");

        ObjectNode result = ManagedFields.recordUpdate(created, edited, TestSchema.SERVICE, "kubectl-edit", "Update", "v1", T1);

        JsonNode entries = result.at("/metadata/managedFields");
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).get("manager").textValue()).isEqualTo("kubectl-create");
        assertThat(entries.get(0).get("time").textValue()).isEqualTo("2024-05-01T12:00:00Z");
        assertThat(entries.get(0).at("/fieldsV1/f:spec").has("f:sessionAffinity")).isFalse();
        assertThat(entries.get(0).at("/fieldsV1/f:spec").has("f:type")).isTrue();
        assertThat(entries.get(1).get("manager").textValue()).isEqualTo("kubectl-edit");
        assertThat(entries.get(1).get("time").textValue()).isEqualTo("2024-05-01T13:00:00Z");
        assertThat(entries.get(1).get("fieldsV1")).isEqualTo(json(
                "{'f:metadata':{'f:labels':{'f:tier':{}}},'f:spec':{'f:sessionAffinity':{}}}"));
    }

    @Test
    void aNoOpUpdateChangesNothing() {
        ObjectNode created = ManagedFields.recordUpdate(null, obj(STORED), TestSchema.SERVICE, "kubectl-create", "Update", "v1", T0);

        ObjectNode result = ManagedFields.recordUpdate(created, created.deepCopy(), TestSchema.SERVICE, "other", "Update", "v1", T1);

        assertThat(result).isEqualTo(created);
    }

    @Test
    void theSameManagerAccumulatesAndRefreshesTime() {
        ObjectNode created = ManagedFields.recordUpdate(null, obj(STORED), TestSchema.SERVICE, "m", "Update", "v1", T0);
        ObjectNode edited = created.deepCopy();
        edited.withObjectProperty("spec").putArray("externalIPs").add("10.0.0.1");

        ObjectNode result = ManagedFields.recordUpdate(created, edited, TestSchema.SERVICE, "m", "Update", "v1", T1);

        JsonNode entries = result.at("/metadata/managedFields");
        assertThat(entries).hasSize(1);
        assertThat(entries.at("/0/time").textValue()).isEqualTo("2024-05-01T13:00:00Z");
        assertThat(entries.at("/0/fieldsV1/f:spec").has("f:externalIPs")).isTrue();
        assertThat(entries.at("/0/fieldsV1/f:spec").has("f:type")).isTrue();
    }

    @Test
    void removedFieldsLeaveEveryOwner() {
        ObjectNode created = ManagedFields.recordUpdate(null, obj(STORED), TestSchema.SERVICE, "kubectl-create", "Update", "v1", T0);
        ObjectNode edited = created.deepCopy();
        edited.withObjectProperty("spec").remove("selector");
        ((com.fasterxml.jackson.databind.node.ArrayNode) edited.at("/spec/ports")).removeAll();
        ((com.fasterxml.jackson.databind.node.ArrayNode) edited.at("/spec/ports")).addObject().put("port", 81).put("protocol", "TCP");

        ObjectNode result = ManagedFields.recordUpdate(created, edited, TestSchema.SERVICE, "kubectl-edit", "Update", "v1", T1);

        JsonNode creator = result.at("/metadata/managedFields/0/fieldsV1/f:spec");
        assertThat(creator.has("f:selector")).isFalse();
        assertThat(creator.at("/f:ports").toString()).doesNotContain("\\\"port\\\":80");
        JsonNode editor = result.at("/metadata/managedFields/1/fieldsV1/f:spec/f:ports");
        assertThat(editor.has("k:{\"port\":81,\"protocol\":\"TCP\"}")).isTrue();
    }

    @Test
    void updatesTakeFieldsFromAppliersWithoutConflict() {
        ObjectNode applied = ServerSideApply.apply(null, obj("{'apiVersion':'v1','kind':'Service','metadata':{'name':'web'},"
                + "'spec':{'ports':[{'port':80,'targetPort':8080}]}}"), TestSchema.SERVICE, "kubectl", false, T0);
        ObjectNode edited = applied.deepCopy();
        ((ObjectNode) edited.at("/spec/ports/0")).put("targetPort", 9090);

        ObjectNode result = ManagedFields.recordUpdate(applied, edited, TestSchema.SERVICE, "kubectl-edit", "Update", "v1", T1);

        JsonNode entries = result.at("/metadata/managedFields");
        assertThat(entries.get(0).get("operation").textValue()).isEqualTo("Apply");
        assertThat(entries.get(0).at("/fieldsV1/f:spec/f:ports").toString()).doesNotContain("targetPort");
        assertThat(entries.get(1).get("operation").textValue()).isEqualTo("Update");
        assertThat(entries.get(1).at("/fieldsV1/f:spec/f:ports").toString()).contains("f:targetPort");
    }

    @Test
    void withoutSchemaListsAreAtomicAndObjectsAreMembers() {
        ObjectNode result = ManagedFields.recordUpdate(null, obj("{'kind':'Thing','spec':{'items':[{'name':'a'}]}}"),
                "m", "Update", "v1", T0);

        assertThat(result.at("/metadata/managedFields/0/fieldsV1")).isEqualTo(json("{'f:spec':{'.':{},'f:items':{}}}"));
    }

    @Test
    void clientSuppliedManagedFieldsAreIgnored() {
        ObjectNode created = ManagedFields.recordUpdate(null, obj(STORED), TestSchema.SERVICE, "kubectl-create", "Update", "v1", T0);
        ObjectNode replaced = created.deepCopy();
        replaced.withObjectProperty("metadata").putArray("managedFields").addObject().put("manager", "forged").put("operation", "Update");

        ObjectNode result = ManagedFields.recordUpdate(created, replaced, TestSchema.SERVICE, "kubectl-replace", "Update", "v1", T1);

        assertThat(result.at("/metadata/managedFields")).isEqualTo(created.at("/metadata/managedFields"));
    }

    @Test
    void malformedStoredManagedFieldsFailLoudly() {
        ObjectNode bad = obj(STORED);
        bad.withObjectProperty("metadata").putArray("managedFields").addObject().put("manager", "x").put("operation", "Frob");

        assertThatThrownBy(() -> ManagedFields.recordUpdate(bad, obj(STORED), TestSchema.SERVICE, "m", "Update", "v1", T1))
                .isInstanceOfSatisfying(PatchException.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.getMessage()).startsWith("metadata.managedFields[0].operation: Unsupported value");
                });
    }

    @Test
    void fieldsV1RoundTrips() {
        JsonNode fieldsV1 = json("{'f:metadata':{'f:labels':{'.':{},'f:app':{}}},'f:spec':{'f:ports':{'.':{},"
                + P80 + ":{'.':{},'f:port':{}}},'f:x':{'v:\\'a\\'':{},'v:1':{}}}}");

        FieldSet set = FieldSet.fromFieldsV1(fieldsV1);

        assertThat(set.toFieldsV1()).isEqualTo(fieldsV1);
        assertThat(set.paths()).extracting(p -> p.display()).contains(
                ".metadata.labels", ".spec.ports[port=80,protocol=\"TCP\"].port", ".spec.x[=\"a\"]", ".spec.x[=1]");
    }
}
