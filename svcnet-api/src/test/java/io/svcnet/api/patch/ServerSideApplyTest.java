package io.svcnet.api.patch;

import static io.svcnet.api.patch.Jsons.json;
import static io.svcnet.api.patch.Jsons.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServerSideApplyTest {

    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00.750Z");
    private static final Instant T1 = Instant.parse("2024-05-01T13:00:00Z");
    /** The FieldsV1 key of Service port 80/TCP, single-quoted for {@link Jsons#json}. */
    private static final String P80 = "'k:{\\'port\\':80,\\'protocol\\':\\'TCP\\'}'";
    private static final String P443 = "'k:{\\'port\\':443,\\'protocol\\':\\'TCP\\'}'";

    private static final String SVC = "{'apiVersion':'v1','kind':'Service','metadata':{'name':'web','labels':{'app':'web'}},"
            + "'spec':{'selector':{'app':'web'},'ports':[{'port':80,'targetPort':8080}]}}";

    @Test
    void createRecordsAnApplyEntry() {
        ObjectNode applied = obj(SVC);

        ObjectNode result = ServerSideApply.apply(null, applied, TestSchema.SERVICE, "kubectl", false, T0);

        assertThat(withoutManagedFields(result)).isEqualTo(obj(SVC));
        assertThat(result.at("/metadata/managedFields")).isEqualTo(json("[{'manager':'kubectl','operation':'Apply',"
                + "'apiVersion':'v1','time':'2024-05-01T12:00:00Z','fieldsType':'FieldsV1','fieldsV1':{"
                + "'f:metadata':{'f:labels':{'f:app':{}}},"
                + "'f:spec':{'f:ports':{" + P80 + ":{'.':{},'f:port':{},'f:targetPort':{}}},'f:selector':{'f:app':{}}}}}]"));
        assertThat(applied).isEqualTo(obj(SVC));
    }

    @Test
    void reapplyingTheSameConfigChangesNothing() {
        ObjectNode first = ServerSideApply.apply(null, obj(SVC), TestSchema.SERVICE, "kubectl", false, T0);

        ObjectNode second = ServerSideApply.apply(first, obj(SVC), TestSchema.SERVICE, "kubectl", false, T1);

        assertThat(second).isEqualTo(first);
    }

    @Test
    void changedValueIsAppliedAndTimeRefreshed() {
        ObjectNode first = ServerSideApply.apply(null, obj(SVC), TestSchema.SERVICE, "kubectl", false, T0);
        ObjectNode firstCopy = first.deepCopy();

        ObjectNode second = ServerSideApply.apply(first, obj(SVC.replace("8080", "9090")), TestSchema.SERVICE,
                "kubectl", false, T1);

        assertThat(second.at("/spec/ports/0/targetPort").intValue()).isEqualTo(9090);
        assertThat(second.at("/metadata/managedFields/0/time").textValue()).isEqualTo("2024-05-01T13:00:00Z");
        assertThat(first).as("live untouched").isEqualTo(firstCopy);
    }

    @Test
    void keepsFieldsItDoesNotApply() {
        ObjectNode live = ServerSideApply.apply(null, obj(SVC), TestSchema.SERVICE, "kubectl", false, T0);
        live.withObjectProperty("spec").put("clusterIP", "127.96.0.7").put("sessionAffinity", "None");
        ((ObjectNode) live.at("/spec/ports/0")).put("protocol", "TCP");

        ObjectNode result = ServerSideApply.apply(live, obj(SVC), TestSchema.SERVICE, "kubectl", false, T1);

        assertThat(result.at("/spec/clusterIP").textValue()).isEqualTo("127.96.0.7");
        assertThat(result.at("/spec/ports")).isEqualTo(json("[{'port':80,'targetPort':8080,'protocol':'TCP'}]"));
    }

    @Test
    void fieldsNoLongerAppliedAreRemoved() {
        String withTier = SVC.replace("'labels':{'app':'web'}", "'labels':{'app':'web','tier':'front'}");
        ObjectNode live = ServerSideApply.apply(null, obj(withTier), TestSchema.SERVICE, "kubectl", false, T0);

        ObjectNode result = ServerSideApply.apply(live, obj(SVC), TestSchema.SERVICE, "kubectl", false, T1);

        assertThat(result.at("/metadata/labels")).isEqualTo(json("{'app':'web'}"));
        assertThat(result.at("/metadata/managedFields/0/fieldsV1/f:metadata")).isEqualTo(json("{'f:labels':{'f:app':{}}}"));
    }

    @Test
    void removedMapLeftEmptyGoesToo() {
        String noLabels = "{'apiVersion':'v1','kind':'Service','metadata':{'name':'web'},"
                + "'spec':{'selector':{'app':'web'},'ports':[{'port':80,'targetPort':8080}]}}";
        ObjectNode live = ServerSideApply.apply(null, obj(SVC), TestSchema.SERVICE, "kubectl", false, T0);

        ObjectNode result = ServerSideApply.apply(live, obj(noLabels), TestSchema.SERVICE, "kubectl", false, T1);

        assertThat(result.at("/metadata").has("labels")).isFalse();
        assertThat(result.at("/metadata/name").textValue()).isEqualTo("web");
    }

    @Test
    void fieldsAnotherManagerAlsoOwnsAreKept() {
        String withTier = SVC.replace("'labels':{'app':'web'}", "'labels':{'app':'web','tier':'front'}");
        ObjectNode live = ServerSideApply.apply(null, obj(withTier), TestSchema.SERVICE, "a", false, T0);
        live = ServerSideApply.apply(live, obj("{'apiVersion':'v1','kind':'Service','metadata':{'name':'web','labels':{'tier':'front'}}}"),
                TestSchema.SERVICE, "b", false, T0);

        ObjectNode result = ServerSideApply.apply(live, obj(SVC), TestSchema.SERVICE, "a", false, T1);
        assertThat(result.at("/metadata/labels/tier").textValue()).isEqualTo("front");

        ObjectNode dropped = ServerSideApply.apply(result, obj("{'apiVersion':'v1','kind':'Service','metadata':{'name':'web'}}"),
                TestSchema.SERVICE, "b", false, T1);
        assertThat(dropped.at("/metadata/labels")).isEqualTo(json("{'app':'web'}"));
    }

    @Test
    void listElementsNoLongerAppliedAreRemoved() {
        String two = SVC.replace("'ports':[{'port':80,'targetPort':8080}]", "'ports':[{'port':80,'targetPort':8080},{'port':443,'targetPort':8443}]");
        ObjectNode live = ServerSideApply.apply(null, obj(two), TestSchema.SERVICE, "kubectl", false, T0);
        assertThat(live.at("/metadata/managedFields/0/fieldsV1/f:spec/f:ports").has(P443.replace("\\'", "\"").replace("'", ""))).isTrue();

        ObjectNode result = ServerSideApply.apply(live, obj(SVC), TestSchema.SERVICE, "kubectl", false, T1);

        assertThat(result.at("/spec/ports")).isEqualTo(json("[{'port':80,'targetPort':8080}]"));
    }

    @Test
    void conflictWithClientSideApplyHasKubernetesMessage() {
        ObjectNode live = createdByClientSideApply();

        assertThatThrownBy(() -> ServerSideApply.apply(live, obj(SVC.replace("8080", "9090")), TestSchema.SERVICE,
                "kubectl", false, T1))
                .isInstanceOfSatisfying(ApplyConflictException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("Apply failed with 1 conflict: conflict with "
                            + "\"kubectl-client-side-apply\" using v1: .spec.ports[port=80,protocol=\"TCP\"].targetPort");
                    assertThat(e.conflicts()).singleElement().satisfies(c -> {
                        assertThat(c.path()).isEqualTo(".spec.ports[port=80,protocol=\"TCP\"].targetPort");
                        assertThat(c.causeMessage()).isEqualTo("conflict with \"kubectl-client-side-apply\" using v1");
                    });
                });
    }

    @Test
    void equalValuesAreSharedNotConflicting() {
        ObjectNode live = createdByClientSideApply();

        ObjectNode result = ServerSideApply.apply(live, obj(SVC), TestSchema.SERVICE, "kubectl", false, T1);

        JsonNode entries = result.at("/metadata/managedFields");
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).get("manager").textValue()).isEqualTo("kubectl"); // Apply entries first
        for (JsonNode e : entries) {
            assertThat(ownsTargetPort(e)).as(e.get("manager").textValue()).isTrue();
        }
    }

    @Test
    void forceTakesTheFieldOver() {
        ObjectNode live = createdByClientSideApply();

        ObjectNode result = ServerSideApply.apply(live, obj(SVC.replace("8080", "9090")), TestSchema.SERVICE,
                "kubectl", true, T1);

        assertThat(result.at("/spec/ports/0/targetPort").intValue()).isEqualTo(9090);
        JsonNode entries = result.at("/metadata/managedFields");
        assertThat(entries.get(0).get("manager").textValue()).isEqualTo("kubectl");
        assertThat(ownsTargetPort(entries.get(0))).isTrue();
        assertThat(entries.get(1).get("manager").textValue()).isEqualTo("kubectl-client-side-apply");
        assertThat(ownsTargetPort(entries.get(1))).isFalse();
        assertThat(entries.get(1).at("/fieldsV1/f:spec/f:ports").toString()).contains("f:protocol");
    }

    @Test
    void conflictsWithSeveralManagersAreGrouped() {
        String deploy = "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':1,"
                + "'template':{'spec':{'containers':[{'name':'web','image':'nginx:1','imagePullPolicy':'Always'}]}}}}";
        ObjectNode created = ManagedFields.recordUpdate(null, obj(deploy), TestSchema.DEPLOYMENT, "helm", "Update", "apps/v1", T0);
        ObjectNode edited = created.deepCopy();
        edited.withObjectProperty("spec").put("minReadySeconds", 5);
        ObjectNode live = ManagedFields.recordUpdate(created, edited, TestSchema.DEPLOYMENT, "kubectl-edit", "Update", "apps/v1", T0);

        ObjectNode applied = obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':3,"
                + "'minReadySeconds':10,'template':{'spec':{'containers':[{'name':'web','image':'nginx:2'}]}}}}");

        assertThatThrownBy(() -> ServerSideApply.apply(live, applied, TestSchema.DEPLOYMENT, "kubectl", false, T1))
                .isInstanceOfSatisfying(ApplyConflictException.class, e -> assertThat(e.getMessage()).isEqualTo(
                        "Apply failed with 3 conflicts: conflicts with \"helm\" using apps/v1:\n"
                                + "- .spec.replicas\n"
                                + "- .spec.template.spec.containers[name=\"web\"].image\n"
                                + "conflicts with \"kubectl-edit\" using apps/v1:\n"
                                + "- .spec.minReadySeconds"));

        ObjectNode forced = ServerSideApply.apply(live, applied, TestSchema.DEPLOYMENT, "kubectl", true, T1);
        assertThat(forced.at("/spec/template/spec/containers")).isEqualTo(
                json("[{'name':'web','image':'nginx:2','imagePullPolicy':'Always'}]"));
        assertThat(forced.at("/spec/replicas").intValue()).isEqualTo(3);
        assertThat(forced.at("/metadata/managedFields/0/fieldsV1/f:spec/f:template/f:spec/f:containers"))
                .isEqualTo(json("{'k:{\\'name\\':\\'web\\'}':{'.':{},'f:image':{},'f:name':{}}}"));
        // kubectl-edit owned nothing else and is gone; helm keeps what it still owns
        assertThat(forced.at("/metadata/managedFields")).hasSize(2);
    }

    @Test
    void conflictBetweenAppliersNamesTheApplierOnly() {
        ObjectNode live = ServerSideApply.apply(null, obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'w'},'spec':{'replicas':2}}"),
                TestSchema.DEPLOYMENT, "team-a", false, T0);

        assertThatThrownBy(() -> ServerSideApply.apply(live,
                obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'w'},'spec':{'replicas':3}}"),
                TestSchema.DEPLOYMENT, "team-b", false, T1))
                .hasMessage("Apply failed with 1 conflict: conflict with \"team-a\": .spec.replicas");
    }

    @Test
    void setsUnionAndEncodeValues() {
        ObjectNode created = ManagedFields.recordUpdate(null, obj("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','finalizers':['x']}}"),
                TestSchema.POD, "ctrl", "Update", "v1", T0);

        ObjectNode result = ServerSideApply.apply(created, obj("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','finalizers':['a']}}"),
                TestSchema.POD, "kubectl", false, T1);

        assertThat(result.at("/metadata/finalizers")).isEqualTo(json("['x','a']"));
        assertThat(result.at("/metadata/managedFields/0/fieldsV1")).isEqualTo(json("{'f:metadata':{'f:finalizers':{'v:\\'a\\'':{}}}}"));
    }

    @Test
    void mergeKeyIsTheFallbackListMapKey() {
        TestSchema schema = TestSchema.object("spec", TestSchema.object("ports",
                TestSchema.mergeList(TestSchema.object("port", TestSchema.integer()), "port").withoutListType()));

        ObjectNode result = ServerSideApply.apply(null, obj("{'spec':{'ports':[{'port':80}]}}"), schema, "m", false, T0);

        assertThat(result.at("/metadata/managedFields/0/fieldsV1"))
                .isEqualTo(json("{'f:spec':{'f:ports':{'k:{\\'port\\':80}':{'.':{},'f:port':{}}}}}"));
    }

    @Test
    void withoutSchemaListsAreAtomic() {
        ObjectNode live = ServerSideApply.apply(null, obj("{'spec':{'l':[1,2],'m':{'a':1}}}"), null, "m", false, T0);
        assertThat(live.at("/metadata/managedFields/0/fieldsV1")).isEqualTo(json("{'f:spec':{'f:l':{},'f:m':{'f:a':{}}}}"));

        ObjectNode result = ServerSideApply.apply(live, obj("{'spec':{'l':[3],'m':{'a':1}}}"), null, "m", false, T1);
        assertThat(result.at("/spec/l")).isEqualTo(json("[3]"));
    }

    @Test
    void managedFieldsInTheConfigurationAreRejected() {
        ObjectNode applied = obj("{'metadata':{'name':'x','managedFields':[{'manager':'me'}]}}");
        assertThatThrownBy(() -> ServerSideApply.apply(null, applied, TestSchema.SERVICE, "kubectl", false, T0))
                .isInstanceOfSatisfying(PatchException.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.getMessage()).isEqualTo("metadata.managedFields must be nil");
                });
    }

    @Test
    void duplicateListKeysAreInvalid() {
        ObjectNode applied = obj("{'spec':{'ports':[{'port':80},{'port':80,'protocol':'TCP'}]}}");
        assertThatThrownBy(() -> ServerSideApply.apply(null, applied, TestSchema.SERVICE, "kubectl", false, T0))
                .isInstanceOfSatisfying(PatchException.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.getMessage()).isEqualTo(".spec.ports: duplicate entries for key [port=80,protocol=\"TCP\"]");
                });
    }

    @Test
    void fieldManagerIsRequired() {
        assertThatThrownBy(() -> ServerSideApply.apply(null, obj(SVC), TestSchema.SERVICE, "", false, T0))
                .isInstanceOfSatisfying(PatchException.class, e -> assertThat(e.code()).isEqualTo(400));
    }

    /** A Service as `kubectl apply` (client-side) creates it: POST, defaulted, managed by kubectl-client-side-apply. */
    private static ObjectNode createdByClientSideApply() {
        ObjectNode stored = obj("{'apiVersion':'v1','kind':'Service','metadata':{'name':'web','namespace':'default',"
                + "'uid':'u1','resourceVersion':'5','labels':{'app':'web'}},'spec':{'selector':{'app':'web'},"
                + "'ports':[{'port':80,'protocol':'TCP','targetPort':8080}],'type':'ClusterIP','sessionAffinity':'None'}}");
        return ManagedFields.recordUpdate(null, stored, TestSchema.SERVICE, "kubectl-client-side-apply", "Update", "v1", T0);
    }

    private static boolean ownsTargetPort(JsonNode entry) {
        JsonNode port = entry.at("/fieldsV1/f:spec/f:ports").get("k:{\"port\":80,\"protocol\":\"TCP\"}");
        return port != null && port.has("f:targetPort");
    }

    private static ObjectNode withoutManagedFields(ObjectNode o) {
        ObjectNode copy = o.deepCopy();
        ((ObjectNode) copy.get("metadata")).remove("managedFields");
        return copy;
    }
}
