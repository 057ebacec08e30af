package io.svcnet.api.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UnknownFieldsTest {

    private static ObjectNode json(String s) {
        return (ObjectNode) Json.parse(s.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
    }

    private static final SchemaNode SERVICE = Schemas.forKind("v1", "Service");

    @Test
    void aValidServiceHasNoUnknownFields() {
        ObjectNode svc = json("""
                {'apiVersion':'v1','kind':'Service',
                 'metadata':{'name':'web','namespace':'default','labels':{'app':'web','any/key':'x'},
                   'annotations':{'kubectl.kubernetes.io/last-applied-configuration':'{}'},
                   'ownerReferences':[{'apiVersion':'v1','kind':'Pod','name':'p','uid':'u'}],
                   'managedFields':[{'manager':'kubectl','fieldsV1':{'f:spec':{'f:ports':{'k:{port=80}':{}}}}}]},
                 'spec':{'selector':{'app':'web'},'ports':[{'port':80,'targetPort':'http','protocol':'TCP'}],
                   'sessionAffinityConfig':{'clientIP':{'timeoutSeconds':10}}},
                 'status':{'loadBalancer':{'ingress':[{'ip':'127.200.0.1','ipMode':'VIP'}]}}}
                """);
        assertThat(UnknownFields.find(svc, SERVICE)).isEmpty();
    }

    @Test
    void unknownFieldsAreReportedWithKubeApiserverPaths() {
        ObjectNode svc = json("""
                {'apiVersion':'v1','kind':'Service','foo':1,
                 'metadata':{'name':'web','annotationz':{'a':'b'}},
                 'spec':{'foo':'x','ports':[{'port':80},{'port':81,'bar':true,'Name':'n'}],
                   'selector':{'app':'web'},'sessionAffinityConfig':{'clientIP':{'timeout':1}}}}
                """);
        assertThat(UnknownFields.find(svc, SERVICE)).containsExactly(
                "foo", "metadata.annotationz", "spec.foo", "spec.ports[1].bar", "spec.ports[1].Name",
                "spec.sessionAffinityConfig.clientIP.timeout");
    }

    @Test
    void deepPodTemplateFieldsAreChecked() {
        ObjectNode deploy = json("""
                {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d'},
                 'spec':{'selector':{'matchLabels':{'app':'d'}},'strategy':{'type':'Recreate','rollingUpdat':{}},
                  'template':{'metadata':{'labels':{'app':'d'}},'spec':{'containers':[
                    {'name':'c','image':'i','env':[{'name':'A','valueFrom':{'fieldRef':{'fieldPath':'status.podIP','x':1}}}],
                     'resources':{'limits':{'cpu':'1','example.com/gpu':1}},
                     'securityContext':{'capabilities':{'drop':['ALL']}},
                     'readinessProbe':{'httpGet':{'port':8080,'paht':'/'}}}],
                    'volumes':[{'name':'v','csi':{'driver':'d','anything':{'goes':true}}}]}}}}
                """);
        assertThat(UnknownFields.find(deploy, Schemas.forKind("apps/v1", "Deployment"))).containsExactly(
                "spec.strategy.rollingUpdat",
                "spec.template.spec.containers[0].env[0].valueFrom.fieldRef.x",
                "spec.template.spec.containers[0].readinessProbe.httpGet.paht");
    }

    @Test
    void mapsAcceptAnyKeyAndWrongShapesAreNotUnknownFields() {
        ObjectNode cm = json("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c'},"
                + "'data':{'a.b':'1','weird key':'2'},'binaryData':{'x':'AA=='}}");
        assertThat(UnknownFields.find(cm, Schemas.forKind("v1", "ConfigMap"))).isEmpty();
        ObjectNode svc = json("{'spec':'not an object','metadata':{'labels':[1,2]}}");
        assertThat(UnknownFields.find(svc, SERVICE)).isEmpty();
    }

    @Test
    void pruneDropsOnlyUnknownFieldsAndLeavesTheInputAlone() {
        ObjectNode svc = json("""
                {'apiVersion':'v1','kind':'Service','foo':1,'metadata':{'name':'web','labels':{'zz':'1'}},
                 'spec':{'foo':'x','ports':[{'port':80,'bar':true}],'selector':{'app':'web'}}}
                """);
        String before = svc.toString();
        ObjectNode pruned = UnknownFields.prune(svc, SERVICE);
        assertThat(svc.toString()).isEqualTo(before);
        assertThat(pruned).isEqualTo(json("""
                {'apiVersion':'v1','kind':'Service','metadata':{'name':'web','labels':{'zz':'1'}},
                 'spec':{'ports':[{'port':80}],'selector':{'app':'web'}}}
                """));
        assertThat(UnknownFields.find(pruned, SERVICE)).isEmpty();
    }

    @Test
    void messagesMatchApimachinerysStrictDecodingError() {
        assertThat(UnknownFields.strictDecodingMessage(List.of("spec.foo")))
                .isEqualTo("strict decoding error: unknown field \"spec.foo\"");
        assertThat(UnknownFields.strictDecodingMessage(List.of("spec.foo", "spec.ports[0].bar")))
                .isEqualTo("strict decoding error: unknown field \"spec.foo\", unknown field \"spec.ports[0].bar\"");
        assertThat(UnknownFields.fieldMessages(List.of("metadata.annotationz")))
                .containsExactly("unknown field \"metadata.annotationz\"");
        assertThatThrownBy(() -> UnknownFields.strictDecodingMessage(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
