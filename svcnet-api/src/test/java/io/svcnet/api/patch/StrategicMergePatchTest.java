package io.svcnet.api.patch;

import static io.svcnet.api.patch.Jsons.json;
import static io.svcnet.api.patch.Jsons.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.schema.SchemaNode;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StrategicMergePatchTest {

    private static final SchemaNode POD = TestSchema.POD;
    private static final SchemaNode DEPLOY = TestSchema.DEPLOYMENT;
    private static final SchemaNode SVC = TestSchema.SERVICE;

    private static final String TWO_CONTAINERS = "{'spec':{'containers':["
            + "{'name':'web','image':'nginx:1.24','imagePullPolicy':'IfNotPresent','ports':[{'containerPort':80,'protocol':'TCP'}]},"
            + "{'name':'sidecar','image':'envoy:1','args':['-c','x']}]}}";

    private static final String DEPLOYMENT = "{'apiVersion':'apps/v1','kind':'Deployment',"
            + "'metadata':{'name':'web','annotations':{'kubectl.kubernetes.io/last-applied-configuration':'old'},'labels':{'app':'web'}},"
            + "'spec':{'replicas':1,'selector':{'matchLabels':{'app':'web'}},"
            + "'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'}},"
            + "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':["
            + "{'name':'nginx','image':'nginx:1.24','imagePullPolicy':'IfNotPresent','terminationMessagePath':'/dev/termination-log',"
            + "'env':[{'name':'A','value':'1'},{'name':'B','value':'1'}]}],"
            + "'restartPolicy':'Always','dnsPolicy':'ClusterFirst'}}}}";

    static Stream<Arguments> cases() {
        return Stream.of(
                // name, schema, original, patch, expected
                c("scalars replace and add", null, "{'a':1,'b':2}", "{'b':3,'c':4}", "{'a':1,'b':3,'c':4}"),
                c("null deletes a key", null, "{'a':1,'b':{'c':1}}", "{'b':null}", "{'a':1}"),
                c("null for an absent key is dropped", null, "{'a':1}", "{'z':null}", "{'a':1}"),
                c("maps merge recursively", POD, "{'metadata':{'labels':{'app':'a','tier':'t'}}}",
                        "{'metadata':{'labels':{'tier':null,'env':'prod'}}}", "{'metadata':{'labels':{'app':'a','env':'prod'}}}"),
                c("unknown schema: lists are replaced", null, "{'l':[1,2],'m':[{'name':'a','x':1}]}",
                        "{'l':[3],'m':[{'name':'a','y':2}]}", "{'l':[3],'m':[{'name':'a','y':2}]}"),
                c("atomic list inside a merged element is replaced", POD, TWO_CONTAINERS,
                        "{'spec':{'containers':[{'name':'sidecar','args':['-v']}]}}",
                        "{'spec':{'containers':[{'name':'web','image':'nginx:1.24','imagePullPolicy':'IfNotPresent','ports':[{'containerPort':80,'protocol':'TCP'}]},"
                                + "{'name':'sidecar','image':'envoy:1','args':['-v']}]}}"),
                c("containers merge on name, other fields and containers kept", POD, TWO_CONTAINERS,
                        "{'spec':{'containers':[{'name':'web','image':'nginx:1.25'}]}}",
                        "{'spec':{'containers':[{'name':'web','image':'nginx:1.25','imagePullPolicy':'IfNotPresent','ports':[{'containerPort':80,'protocol':'TCP'}]},"
                                + "{'name':'sidecar','image':'envoy:1','args':['-c','x']}]}}"),
                c("a new element goes in front (Kubernetes' order)", POD, TWO_CONTAINERS,
                        "{'spec':{'containers':[{'name':'init','image':'busybox'}]}}",
                        "{'spec':{'containers':[{'name':'init','image':'busybox'},"
                                + "{'name':'web','image':'nginx:1.24','imagePullPolicy':'IfNotPresent','ports':[{'containerPort':80,'protocol':'TCP'}]},"
                                + "{'name':'sidecar','image':'envoy:1','args':['-c','x']}]}}"),
                c("$setElementOrder puts a new element last", POD, TWO_CONTAINERS,
                        "{'spec':{'$setElementOrder/containers':[{'name':'web'},{'name':'sidecar'},{'name':'log'}],"
                                + "'containers':[{'name':'log','image':'fluentbit'}]}}",
                        "{'spec':{'containers':[{'name':'web','image':'nginx:1.24','imagePullPolicy':'IfNotPresent','ports':[{'containerPort':80,'protocol':'TCP'}]},"
                                + "{'name':'sidecar','image':'envoy:1','args':['-c','x']},{'name':'log','image':'fluentbit'}]}}"),
                c("$setElementOrder alone reorders", POD, "{'spec':{'containers':[{'name':'a'},{'name':'b'},{'name':'c'}]}}",
                        "{'spec':{'$setElementOrder/containers':[{'name':'c'},{'name':'a'},{'name':'b'}]}}",
                        "{'spec':{'containers':[{'name':'c'},{'name':'a'},{'name':'b'}]}}"),
                c("$setElementOrder keeps server-only elements in place", POD,
                        "{'spec':{'containers':[{'name':'a'},{'name':'x'},{'name':'b'}]}}",
                        "{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}],'containers':[{'name':'b','image':'i'}]}}",
                        "{'spec':{'containers':[{'name':'x'},{'name':'b','image':'i'},{'name':'a'}]}}"),
                c("$patch: delete removes a container by merge key", POD, TWO_CONTAINERS,
                        "{'spec':{'containers':[{'$patch':'delete','name':'sidecar'}]}}",
                        "{'spec':{'containers':[{'name':'web','image':'nginx:1.24','imagePullPolicy':'IfNotPresent','ports':[{'containerPort':80,'protocol':'TCP'}]}]}}"),
                c("kubectl apply removing a container", POD, TWO_CONTAINERS,
                        "{'spec':{'$setElementOrder/containers':[{'name':'web'}],'containers':[{'$patch':'delete','name':'sidecar'}]}}",
                        "{'spec':{'containers':[{'name':'web','image':'nginx:1.24','imagePullPolicy':'IfNotPresent','ports':[{'containerPort':80,'protocol':'TCP'}]}]}}"),
                c("$patch: replace as a list element replaces the list", POD, TWO_CONTAINERS,
                        "{'spec':{'containers':[{'$patch':'replace'},{'name':'only','image':'x'}]}}",
                        "{'spec':{'containers':[{'name':'only','image':'x'}]}}"),
                c("$patch: replace on a map", POD, "{'metadata':{'labels':{'app':'a','tier':'t'}}}",
                        "{'metadata':{'labels':{'$patch':'replace','app':'b'}}}", "{'metadata':{'labels':{'app':'b'}}}"),
                c("$patch: delete on a map", POD, "{'metadata':{'name':'p','labels':{'app':'a'}}}",
                        "{'metadata':{'labels':{'$patch':'delete'}}}", "{'metadata':{'name':'p'}}"),
                c("$patch: merge on a map is the default", POD, "{'metadata':{'labels':{'app':'a'}}}",
                        "{'metadata':{'labels':{'$patch':'merge','tier':'t'}}}", "{'metadata':{'labels':{'app':'a','tier':'t'}}}"),
                c("primitive merge list is a set union, new values in front", POD,
                        "{'metadata':{'finalizers':['a','b']}}", "{'metadata':{'finalizers':['c','b']}}",
                        "{'metadata':{'finalizers':['c','a','b']}}"),
                c("primitive merge list with $setElementOrder", POD,
                        "{'metadata':{'finalizers':['a','b']}}",
                        "{'metadata':{'$setElementOrder/finalizers':['a','b','c'],'finalizers':['c']}}",
                        "{'metadata':{'finalizers':['a','b','c']}}"),
                c("$deleteFromPrimitiveList", POD, "{'metadata':{'finalizers':['a','b','c']}}",
                        "{'metadata':{'$deleteFromPrimitiveList/finalizers':['b','zz']}}",
                        "{'metadata':{'finalizers':['a','c']}}"),
                c("kubectl apply removing a finalizer", POD, "{'metadata':{'finalizers':['a','b','c']}}",
                        "{'metadata':{'$setElementOrder/finalizers':['a','c'],'$deleteFromPrimitiveList/finalizers':['b']}}",
                        "{'metadata':{'finalizers':['a','c']}}"),
                c("$retainKeys clears the other union members (Deployment strategy)", DEPLOY,
                        "{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}}}}",
                        "{'spec':{'strategy':{'$retainKeys':['type'],'rollingUpdate':null,'type':'Recreate'}}}",
                        "{'spec':{'strategy':{'type':'Recreate'}}}"),
                c("$retainKeys keeps listed keys and merges them", DEPLOY,
                        "{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1,'maxUnavailable':0}}}}",
                        "{'spec':{'strategy':{'$retainKeys':['rollingUpdate','type'],'rollingUpdate':{'maxSurge':2}}}}",
                        "{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':2,'maxUnavailable':0}}}}"),
                c("$retainKeys on a volume (merge,retainKeys list)", POD,
                        "{'spec':{'volumes':[{'name':'v','emptyDir':{}}]}}",
                        "{'spec':{'volumes':[{'$retainKeys':['configMap','name'],'configMap':{'name':'cm'},'name':'v'}]}}",
                        "{'spec':{'volumes':[{'name':'v','configMap':{'name':'cm'}}]}}"),
                c("env merges on name inside a container", POD,
                        "{'spec':{'containers':[{'name':'w','env':[{'name':'A','value':'1'},{'name':'B','value':'1'}]}]}}",
                        "{'spec':{'containers':[{'name':'w','env':[{'name':'B','value':'2'}]}]}}",
                        "{'spec':{'containers':[{'name':'w','env':[{'name':'A','value':'1'},{'name':'B','value':'2'}]}]}}"),
                c("container ports merge on containerPort", POD,
                        "{'spec':{'containers':[{'name':'w','ports':[{'containerPort':80,'protocol':'TCP','name':'http'}]}]}}",
                        "{'spec':{'containers':[{'name':'w','ports':[{'containerPort':80,'name':'web'},{'containerPort':443}]}]}}",
                        "{'spec':{'containers':[{'name':'w','ports':[{'containerPort':80,'protocol':'TCP','name':'web'},{'containerPort':443}]}]}}"),
                c("status conditions merge on type", POD,
                        "{'status':{'conditions':[{'type':'Ready','status':'False'},{'type':'PodScheduled','status':'True'}]}}",
                        "{'status':{'conditions':[{'type':'Ready','status':'True'}]}}",
                        "{'status':{'conditions':[{'type':'Ready','status':'True'},{'type':'PodScheduled','status':'True'}]}}"),
                c("merge keys compare numerically", SVC,
                        "{'spec':{'ports':[{'port':80,'protocol':'TCP','targetPort':8080}]}}",
                        "{'spec':{'ports':[{'port':80.0,'targetPort':9090}]}}",
                        "{'spec':{'ports':[{'port':80.0,'protocol':'TCP','targetPort':9090}]}}"), // matched; patch value wins
                c("a value of another type replaces", null, "{'a':[1,2]}", "{'a':{'b':1}}", "{'a':{'b':1}}"),
                c("a new map drops nulls and directives", SVC, "{}",
                        "{'spec':{'selector':{'app':'a','gone':null},'ports':[{'$patch':'delete','port':1},{'port':80}]}}",
                        "{'spec':{'selector':{'app':'a'},'ports':[{'port':80}]}}"),
                c("a new list gets $setElementOrder order, no directive stored", POD, "{'spec':{}}",
                        "{'spec':{'$setElementOrder/containers':[{'name':'a'},{'name':'b'}],'containers':[{'name':'a'},{'name':'b'}]}}",
                        "{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}"),
                c("$setElementOrder on an atomic list is ignored", SVC, "{'spec':{'clusterIPs':['a']}}",
                        "{'spec':{'$setElementOrder/clusterIPs':['b'],'clusterIPs':['b']}}",
                        "{'spec':{'clusterIPs':['b']}}"),
                c("$patch: replace at the top", null, "{'a':1,'b':2}", "{'$patch':'replace','c':3}", "{'c':3}"));
    }

    private static Arguments c(String name, SchemaNode schema, String original, String patch, String expected) {
        return Arguments.of(name, schema, original, patch, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void applies(String name, SchemaNode schema, String original, String patch, String expected) {
        ObjectNode orig = obj(original);
        JsonNode p = json(patch);
        ObjectNode origCopy = orig.deepCopy();
        JsonNode patchCopy = p.deepCopy();

        ObjectNode result = StrategicMergePatch.apply(orig, p, schema);

        assertThat(result).isEqualTo(json(expected));
        assertThat(orig).as("original untouched").isEqualTo(origCopy);
        assertThat(p).as("patch untouched").isEqualTo(patchCopy);
    }

    @Test
    void kubectlClientSideApplyPatchChangingAnImage() {
        JsonNode patch = json("{'metadata':{'annotations':{'kubectl.kubernetes.io/last-applied-configuration':'new'}},"
                + "'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'nginx'}],"
                + "'containers':[{'image':'nginx:1.25','name':'nginx'}]}}}}");

        ObjectNode result = StrategicMergePatch.apply(obj(DEPLOYMENT), patch, DEPLOY);

        ObjectNode expected = obj(DEPLOYMENT);
        ((ObjectNode) expected.at("/metadata/annotations")).put("kubectl.kubernetes.io/last-applied-configuration", "new");
        ((ObjectNode) expected.at("/spec/template/spec/containers/0")).put("image", "nginx:1.25");
        assertThat(result).isEqualTo(expected);
        assertThat(result.toString()).doesNotContain("$setElementOrder");
    }

    @Test
    void kubectlApplyPatchOfServiceNodePort() {
        ObjectNode svc = obj("{'apiVersion':'v1','kind':'Service','metadata':{'name':'web'},'spec':{'type':'NodePort',"
                + "'ports':[{'port':80,'protocol':'TCP','targetPort':8080,'nodePort':30080}],'selector':{'app':'web'},"
                + "'clusterIP':'127.96.0.5','clusterIPs':['127.96.0.5']}}");
        JsonNode patch = json("{'spec':{'$setElementOrder/ports':[{'port':80}],'ports':[{'nodePort':30081,'port':80}]}}");

        ObjectNode result = StrategicMergePatch.apply(svc, patch, SVC);

        assertThat(result.at("/spec/ports")).isEqualTo(json("[{'port':80,'protocol':'TCP','targetPort':8080,'nodePort':30081}]"));
        assertThat(result.at("/spec/clusterIPs")).isEqualTo(json("['127.96.0.5']"));
        assertThat(result.at("/spec").has("$setElementOrder/ports")).isFalse();
    }

    @Test
    void kubectlEditTwoWayPatch() {
        JsonNode patch = json("{'spec':{'replicas':3,'template':{'spec':{'$setElementOrder/containers':[{'name':'nginx'}],"
                + "'containers':[{'$setElementOrder/env':[{'name':'A'},{'name':'B'},{'name':'C'}],"
                + "'env':[{'name':'B','value':'2'},{'name':'C','value':'3'}],'name':'nginx'}]}}}}");

        ObjectNode result = StrategicMergePatch.apply(obj(DEPLOYMENT), patch, DEPLOY);

        assertThat(result.at("/spec/replicas").intValue()).isEqualTo(3);
        assertThat(result.at("/spec/template/spec/containers/0/env"))
                .isEqualTo(json("[{'name':'A','value':'1'},{'name':'B','value':'2'},{'name':'C','value':'3'}]"));
        assertThat(result.at("/spec/template/spec/containers/0/image").textValue()).isEqualTo("nginx:1.24");
        assertThat(result.at("/spec/strategy/rollingUpdate/maxSurge").textValue()).isEqualTo("25%");
    }

    @Test
    void kubectlApplySwitchingToRecreate() {
        JsonNode patch = json("{'spec':{'strategy':{'$retainKeys':['type'],'rollingUpdate':null,'type':'Recreate'}}}");

        ObjectNode result = StrategicMergePatch.apply(obj(DEPLOYMENT), patch, DEPLOY);

        assertThat(result.at("/spec/strategy")).isEqualTo(json("{'type':'Recreate'}"));
    }

    @Test
    void nullOriginalIsAnEmptyObject() {
        assertThat(StrategicMergePatch.apply(null, json("{'a':{'b':null,'c':1}}"), null)).isEqualTo(json("{'a':{'c':1}}"));
    }

    // ---- errors ------------------------------------------------------------------------------

    @Test
    void patchMustBeAnObject() {
        assertBadRequest(null, "{}", "[1]", "must be a JSON object");
        assertBadRequest(null, "{}", "'x'", "must be a JSON object");
    }

    @Test
    void missingMergeKeyIsRejected() {
        assertBadRequest(POD, TWO_CONTAINERS, "{'spec':{'containers':[{'image':'nginx'}]}}",
                "map: {\"image\":\"nginx\"} does not contain declared merge key: name");
    }

    @Test
    void deleteDirectiveWithoutMergeKeyIsRejected() {
        assertBadRequest(POD, TWO_CONTAINERS, "{'spec':{'containers':[{'$patch':'delete'}]}}",
                "delete patch type with no merge key defined");
    }

    @Test
    void unknownPatchTypesAreRejected() {
        assertBadRequest(POD, "{}", "{'metadata':{'$patch':'explode'}}", "unknown patch type: \"explode\"");
        assertBadRequest(POD, TWO_CONTAINERS, "{'spec':{'containers':[{'$patch':'zap','name':'web'}]}}",
                "unknown patch type: \"zap\"");
    }

    @Test
    void malformedDirectivesAreRejected() {
        assertBadRequest(DEPLOY, DEPLOYMENT, "{'spec':{'strategy':{'$retainKeys':'type'}}}", "invalid patch format of retainKeys");
        assertBadRequest(POD, TWO_CONTAINERS, "{'spec':{'$setElementOrder/containers':{'name':'web'}}}",
                "invalid patch format of setElementOrder list");
        assertBadRequest(POD, "{}", "{'metadata':{'$deleteFromPrimitiveList/finalizers':'a'}}",
                "invalid patch format of primitive list");
        assertBadRequest(POD, "{}", "{'metadata':{'$deleteFromPrimitiveList':['a']}}",
                "invalid patch format of primitive list");
    }

    @Test
    void patchListOutOfSetElementOrderIsRejected() {
        assertBadRequest(POD, "{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}",
                "{'spec':{'$setElementOrder/containers':[{'name':'a'},{'name':'b'}],'containers':[{'name':'b'},{'name':'a'}]}}",
                "doesn't match $setElementOrder list");
    }

    @Test
    void patchContentOutsideRetainKeysIsInvalid() {
        assertThatThrownBy(() -> StrategicMergePatch.apply(obj(DEPLOYMENT),
                json("{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate','rollingUpdate':{'maxSurge':1}}}}"), DEPLOY))
                .isInstanceOfSatisfying(PatchException.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.reason()).isEqualTo("Invalid");
                    assertThat(e.getMessage()).contains("patch content doesn't match retainKeys list");
                });
    }

    @Test
    void listsOfListsAreInvalid() {
        assertThatThrownBy(() -> StrategicMergePatch.apply(obj("{}"), json("{'metadata':{'finalizers':[['a']]}}"), POD))
                .isInstanceOfSatisfying(PatchException.class, e -> assertThat(e.code()).isEqualTo(422));
    }

    private static void assertBadRequest(SchemaNode schema, String original, String patch, String message) {
        assertThatThrownBy(() -> StrategicMergePatch.apply(obj(original), json(patch), schema))
                .isInstanceOfSatisfying(PatchException.class, e -> {
                    assertThat(e.isBadRequest()).isTrue();
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.getMessage()).contains(message);
                });
    }
}
