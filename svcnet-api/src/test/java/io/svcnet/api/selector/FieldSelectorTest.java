package io.svcnet.api.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceTypes;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FieldSelectorTest {

    private static final JsonNode POD = json("""
            {"metadata":{"name":"web-1","namespace":"default"},
             "spec":{"nodeName":"node-a","restartPolicy":"Always","schedulerName":"default-scheduler",
                     "serviceAccountName":"default"},
             "status":{"phase":"Running","podIPs":[{"ip":"127.244.0.5"}],"podIP":"127.244.0.5"}}""");

    @Test
    void parsesTermsSortedAndCanonical() {
        FieldSelector s = FieldSelector.parse("status.phase!=Failed,metadata.name==web-1", ResourceTypes.PODS);
        assertThat(s.toString()).isEqualTo("metadata.name=web-1,status.phase!=Failed");
        assertThat(s.terms()).extracting(FieldSelector.Term::field).containsExactly("metadata.name", "status.phase");
        assertThat(FieldSelector.parse("", ResourceTypes.PODS).isEmpty()).isTrue();
        assertThat(FieldSelector.parse(",,", ResourceTypes.PODS).isEmpty()).isTrue();
    }

    @Test
    void matchesPodFields() {
        assertThat(FieldSelector.parse("spec.nodeName=node-a", ResourceTypes.PODS).matches(POD)).isTrue();
        assertThat(FieldSelector.parse("spec.nodeName=node-b", ResourceTypes.PODS).matches(POD)).isFalse();
        assertThat(FieldSelector.parse("spec.host=node-a", ResourceTypes.PODS).terms().get(0).field()).isEqualTo("spec.nodeName");
        assertThat(FieldSelector.parse("status.phase!=Succeeded,status.phase!=Failed", ResourceTypes.PODS).matches(POD)).isTrue();
        assertThat(FieldSelector.parse("status.podIP=127.244.0.5", ResourceTypes.PODS).matches(POD)).isTrue();
        assertThat(FieldSelector.parse("spec.hostNetwork=false", ResourceTypes.PODS).matches(POD)).as("defaults to false").isTrue();
        assertThat(FieldSelector.parse("status.nominatedNodeName=", ResourceTypes.PODS).matches(POD)).isTrue();
        assertThat(FieldSelector.parse("metadata.namespace=default,metadata.name=web-1", ResourceTypes.PODS).matches(POD)).isTrue();
    }

    @Test
    void matchesOtherTypes() {
        JsonNode node = json("{\"metadata\":{\"name\":\"n1\"},\"spec\":{\"unschedulable\":true}}");
        assertThat(FieldSelector.parse("spec.unschedulable=true", ResourceTypes.NODES).matches(node)).isTrue();
        assertThat(FieldSelector.parse("spec.unschedulable=false", ResourceTypes.NODES).matches(json("{}"))).isTrue();
        JsonNode event = json("{\"metadata\":{\"name\":\"e\",\"namespace\":\"default\"},\"involvedObject\":{\"kind\":\"Pod\","
                + "\"name\":\"web-1\"},\"reason\":\"Pulled\",\"type\":\"Normal\",\"source\":{\"component\":\"kubelet\"},"
                + "\"reportingComponent\":\"kubelet\"}");
        assertThat(FieldSelector.parse("involvedObject.kind=Pod,involvedObject.name=web-1,type=Normal,source=kubelet",
                ResourceTypes.EVENTS).matches(event)).isTrue();
        assertThat(FieldSelector.parse("reason=Killing", ResourceTypes.EVENTS).matches(event)).isFalse();
        JsonNode secret = json("{\"metadata\":{\"name\":\"s\"},\"type\":\"kubernetes.io/tls\"}");
        assertThat(FieldSelector.parse("type=kubernetes.io/tls", ResourceTypes.SECRETS).matches(secret)).isTrue();
        JsonNode svc = json("{\"metadata\":{\"name\":\"s\"},\"spec\":{\"clusterIP\":\"None\",\"type\":\"ClusterIP\"}}");
        assertThat(FieldSelector.parse("spec.clusterIP!=None", ResourceTypes.SERVICES).matches(svc)).isFalse();
        assertThat(FieldSelector.parse("spec.type=ClusterIP", ResourceTypes.SERVICES).matches(svc)).isTrue();
        JsonNode rs = json("{\"metadata\":{\"name\":\"r\"},\"status\":{\"replicas\":0}}");
        assertThat(FieldSelector.parse("status.replicas=0", ResourceTypes.REPLICASETS).matches(rs)).isTrue();
        JsonNode ns = json("{\"metadata\":{\"name\":\"default\"},\"status\":{\"phase\":\"Active\"}}");
        assertThat(FieldSelector.parse("status.phase=Active", ResourceTypes.NAMESPACES).matches(ns)).isTrue();
    }

    @Test
    void rejectsUnsupportedFieldsWithUpstreamMessages() {
        assertThatThrownBy(() -> FieldSelector.parse("foo.bar=1", ResourceTypes.PODS))
                .isInstanceOf(SelectorParseException.class)
                .hasMessage("field label not supported: foo.bar");
        assertThatThrownBy(() -> FieldSelector.parse("metadata.namespace=x", ResourceTypes.NODES))
                .hasMessage("field label not supported: metadata.namespace");
        assertThatThrownBy(() -> FieldSelector.parse("spec.nodeName=x", ResourceTypes.SERVICES))
                .hasMessage("field label not supported: spec.nodeName");
        assertThatThrownBy(() -> FieldSelector.parse("foo.bar=1", ResourceTypes.CONFIGMAPS))
                .hasMessage("\"foo.bar\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
        assertThatThrownBy(() -> FieldSelector.parse("metadata.name = x", ResourceTypes.DEPLOYMENTS))
                .as("whitespace is part of the field")
                .hasMessage("\"metadata.name \" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
        assertThat(FieldSelector.parse("metadata.namespace=x", ResourceTypes.INGRESSCLASSES).matches(json("{}"))).isFalse();
    }

    @Test
    void rejectsSyntaxErrors() {
        assertThatThrownBy(() -> FieldSelector.parse("abc", ResourceTypes.PODS))
                .hasMessage("invalid selector: 'abc'; can't understand 'abc'");
        assertThatThrownBy(() -> FieldSelector.parse("metadata.name=a=b", ResourceTypes.PODS))
                .hasMessage("invalid field selector: unescaped character in value: =");
        assertThatThrownBy(() -> FieldSelector.parse("metadata.name=a\\x", ResourceTypes.PODS))
                .hasMessage("invalid field selector: invalid escape sequence: \\x");
        assertThatThrownBy(() -> FieldSelector.parse("metadata.name=a\\", ResourceTypes.PODS))
                .hasMessage("invalid field selector: invalid escape sequence: \\");
        assertThatThrownBy(() -> FieldSelector.parse("foo.bar=1,abc", ResourceTypes.PODS))
                .as("syntax is checked before field labels")
                .hasMessage("invalid selector: 'foo.bar=1,abc'; can't understand 'abc'");
    }

    @Test
    void unescapesAndEscapesValues() {
        FieldSelector s = FieldSelector.parse("metadata.name=a\\,b\\=c\\\\d", ResourceTypes.CONFIGMAPS);
        assertThat(s.terms().get(0).value()).isEqualTo("a,b=c\\d");
        assertThat(s.toString()).isEqualTo("metadata.name=a\\,b\\=c\\\\d");
        assertThat(FieldSelector.parse(s.toString(), ResourceTypes.CONFIGMAPS)).isEqualTo(s);
    }

    @Test
    void reportsRequiredValues() {
        FieldSelector s = FieldSelector.parse("metadata.name=web-1,status.phase!=Failed", ResourceTypes.PODS);
        assertThat(s.requiredValue("metadata.name")).contains("web-1");
        assertThat(s.requiredValue("status.phase")).isEmpty();
        assertThat(s.requiredValue("metadata.namespace")).isEmpty();
    }

    private static JsonNode json(String s) {
        return Json.parse(s.getBytes(StandardCharsets.UTF_8));
    }
}
