package io.svcnet.api.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import io.svcnet.api.schema.SchemaNode.Type;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SchemasTest {

    private static SchemaNode at(SchemaNode root, String dotted) {
        SchemaNode n = root;
        for (String part : dotted.split("\\.")) {
            if (part.equals("[]")) {
                n = n.items();
            } else {
                n = n.property(part);
            }
            assertThat(n).as("path %s (at %s)", dotted, part).isNotNull();
        }
        return n;
    }

    @Test
    void everyServedKindAndItsListHasATopLevelSchema() {
        for (ResourceType t : ResourceTypes.all()) {
            SchemaNode s = Schemas.forKind(t.apiVersion(), t.kind());
            assertThat(s.type()).isEqualTo(Type.OBJECT);
            assertThat(s.properties()).containsKeys("apiVersion", "kind", "metadata");
            assertThat(s.property("metadata").definitionName())
                    .isEqualTo("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
            assertThat(s.definitionName()).endsWith("." + t.kind());
            SchemaNode list = Schemas.forKind(t.apiVersion(), t.kind() + "List");
            assertThat(list.required()).containsExactly("items");
            assertThat(list.property("items").items().definitionName()).isEqualTo(s.definitionName());
            assertThat(list.property("metadata").definitionName())
                    .isEqualTo("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta");
        }
        assertThat(Schemas.definitionName("v1", "Service")).contains("io.k8s.api.core.v1.Service");
        assertThat(Schemas.definitionName("apps/v1", "Deployment")).contains("io.k8s.api.apps.v1.Deployment");
        assertThat(Schemas.definitionName("discovery.k8s.io/v1", "EndpointSlice"))
                .contains("io.k8s.api.discovery.v1.EndpointSlice");
        assertThat(Schemas.definitionName("autoscaling/v1", "Scale")).contains("io.k8s.api.autoscaling.v1.Scale");
        assertThat(Schemas.forKind("v1", "Status").properties()).containsKeys("code", "reason", "details");
        assertThat(Schemas.forKind("v1", "DeleteOptions").properties()).containsKeys("propagationPolicy",
                "gracePeriodSeconds", "preconditions");
        assertThat(Schemas.forKind("v1", "WatchEvent").required()).containsExactly("type", "object");
    }

    @Test
    void unknownKindsAreReportedWithContext() {
        assertThat(Schemas.find("v1", "Banana")).isEmpty();
        assertThat(Schemas.find("apps/v2", "Deployment")).isEmpty();
        assertThatThrownBy(() -> Schemas.forKind("v1", "Banana"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Banana");
    }

    @Test
    void objectMetaHasAllFieldsWithKubernetesListSemantics() {
        SchemaNode meta = Schemas.definition("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta").orElseThrow();
        assertThat(meta.properties()).containsKeys("annotations", "creationTimestamp", "deletionGracePeriodSeconds",
                "deletionTimestamp", "finalizers", "generateName", "generation", "labels", "managedFields", "name",
                "namespace", "ownerReferences", "resourceVersion", "selfLink", "uid");
        assertThat(meta.property("labels").type()).isEqualTo(Type.MAP);
        assertThat(meta.property("creationTimestamp").format()).isEqualTo("date-time");
        assertThat(meta.property("creationTimestamp").definitionName())
                .isEqualTo("io.k8s.apimachinery.pkg.apis.meta.v1.Time");
        assertThat(meta.property("generation").format()).isEqualTo("int64");
        assertThat(meta.property("finalizers").patchStrategy()).isEqualTo("merge");
        assertThat(meta.property("finalizers").listType()).isEqualTo("set");
        assertThat(meta.property("ownerReferences").patchMergeKey()).isEqualTo("uid");
        assertThat(meta.property("ownerReferences").listMapKeys()).containsExactly("uid");
        assertThat(meta.property("managedFields").items().property("fieldsV1").type()).isEqualTo(Type.ANY);
        assertThat(meta.description()).isNotBlank();
        assertThat(meta.property("name").description()).contains("unique within a namespace");
    }

    @Test
    void serviceSpecFollowsKubernetes132() {
        SchemaNode svc = Schemas.forKind("v1", "Service");
        SchemaNode spec = svc.property("spec");
        assertThat(spec.definitionName()).isEqualTo("io.k8s.api.core.v1.ServiceSpec");
        assertThat(spec.properties()).containsKeys("ports", "selector", "clusterIP", "clusterIPs", "type",
                "externalIPs", "sessionAffinity", "loadBalancerIP", "loadBalancerSourceRanges", "externalName",
                "externalTrafficPolicy", "healthCheckNodePort", "publishNotReadyAddresses", "sessionAffinityConfig",
                "ipFamilies", "ipFamilyPolicy", "allocateLoadBalancerNodePorts", "loadBalancerClass",
                "internalTrafficPolicy", "trafficDistribution");
        SchemaNode ports = spec.property("ports");
        assertThat(ports.type()).isEqualTo(Type.ARRAY);
        assertThat(ports.patchStrategy()).isEqualTo("merge");
        assertThat(ports.patchMergeKey()).isEqualTo("port");
        assertThat(ports.listType()).isEqualTo("map");
        assertThat(ports.listMapKeys()).containsExactly("port", "protocol");
        SchemaNode port = ports.items();
        assertThat(port.definitionName()).isEqualTo("io.k8s.api.core.v1.ServicePort");
        assertThat(port.required()).containsExactly("port");
        assertThat(port.property("targetPort").type()).isEqualTo(Type.INT_OR_STRING);
        assertThat(port.property("port").format()).isEqualTo("int32");
        assertThat(port.property("protocol").enumValues()).containsExactly("SCTP", "TCP", "UDP");
        assertThat(port.property("protocol").defaultValue().asText()).isEqualTo("TCP");
        assertThat(spec.property("type").enumValues())
                .containsExactly("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
        assertThat(spec.property("selector").type()).isEqualTo(Type.MAP);
        assertThat(spec.property("clusterIPs").listType()).isEqualTo("atomic");
        assertThat(at(svc, "status.loadBalancer.ingress.[]").properties())
                .containsKeys("ip", "hostname", "ipMode", "ports");
        assertThat(at(svc, "status.conditions").patchMergeKey()).isEqualTo("type");
        assertThat(at(svc, "spec.sessionAffinityConfig.clientIP.timeoutSeconds").type()).isEqualTo(Type.INTEGER);
    }

    @Test
    void podSpecCarriesThePatchKeysStrategicMergePatchNeeds() {
        SchemaNode podSpec = Schemas.forKind("v1", "Pod").property("spec");
        assertThat(podSpec.property("containers").patchMergeKey()).isEqualTo("name");
        assertThat(podSpec.property("initContainers").patchMergeKey()).isEqualTo("name");
        assertThat(podSpec.property("volumes").patchStrategy()).isEqualTo("merge,retainKeys");
        assertThat(podSpec.property("volumes").patchMergeKey()).isEqualTo("name");
        assertThat(podSpec.property("imagePullSecrets").patchMergeKey()).isEqualTo("name");
        assertThat(podSpec.property("hostAliases").patchMergeKey()).isEqualTo("ip");
        assertThat(podSpec.property("topologySpreadConstraints").patchMergeKey()).isEqualTo("topologyKey");
        assertThat(podSpec.property("tolerations").patchStrategy()).isNull();
        SchemaNode container = podSpec.property("containers").items();
        assertThat(container.properties()).containsKeys("name", "image", "command", "args", "workingDir", "ports",
                "env", "resources", "readinessProbe", "livenessProbe", "startupProbe", "imagePullPolicy",
                "volumeMounts", "securityContext");
        assertThat(container.property("ports").patchMergeKey()).isEqualTo("containerPort");
        assertThat(container.property("env").patchMergeKey()).isEqualTo("name");
        assertThat(container.property("volumeMounts").patchMergeKey()).isEqualTo("mountPath");
        assertThat(at(container, "env.[].valueFrom.fieldRef.fieldPath").type()).isEqualTo(Type.STRING);
        assertThat(at(container, "env.[].valueFrom.secretKeyRef.key").type()).isEqualTo(Type.STRING);
        assertThat(at(container, "env.[].valueFrom.configMapKeyRef.name").type()).isEqualTo(Type.STRING);
        assertThat(at(container, "readinessProbe.httpGet.port").type()).isEqualTo(Type.INT_OR_STRING);
        assertThat(at(container, "livenessProbe.tcpSocket.port").type()).isEqualTo(Type.INT_OR_STRING);
        assertThat(at(container, "startupProbe.exec.command").type()).isEqualTo(Type.ARRAY);
        assertThat(at(container, "resources.limits").items().type()).isEqualTo(Type.QUANTITY);
        assertThat(at(container, "ports.[]").properties())
                .containsKeys("containerPort", "name", "protocol", "hostPort", "hostIP");
        assertThat(podSpec.properties()).containsKeys("restartPolicy", "terminationGracePeriodSeconds", "nodeName",
                "nodeSelector", "hostNetwork", "hostname", "subdomain", "serviceAccountName", "dnsPolicy",
                "affinity", "tolerations");
        SchemaNode status = Schemas.forKind("v1", "Pod").property("status");
        assertThat(status.properties()).containsKeys("phase", "conditions", "podIP", "podIPs", "hostIP", "hostIPs",
                "startTime", "containerStatuses");
        assertThat(status.property("conditions").patchMergeKey()).isEqualTo("type");
        assertThat(status.property("podIPs").patchMergeKey()).isEqualTo("ip");
    }

    @Test
    void deploymentStrategyRetainsKeysAndOtherKindsMatchUpstream() {
        SchemaNode deploy = Schemas.forKind("apps/v1", "Deployment");
        SchemaNode strategy = at(deploy, "spec.strategy");
        assertThat(strategy.patchStrategy()).isEqualTo("retainKeys");
        assertThat(at(strategy, "rollingUpdate.maxSurge").type()).isEqualTo(Type.INT_OR_STRING);
        assertThat(at(deploy, "spec.selector.matchExpressions.[].operator").type()).isEqualTo(Type.STRING);
        assertThat(at(deploy, "spec.template.spec.containers").patchMergeKey()).isEqualTo("name");
        assertThat(at(deploy, "status").properties()).containsKeys("replicas", "updatedReplicas", "readyReplicas",
                "availableReplicas", "unavailableReplicas", "observedGeneration", "conditions", "collisionCount");
        assertThat(at(deploy, "status.conditions").patchMergeKey()).isEqualTo("type");
        assertThat(at(Schemas.forKind("apps/v1", "ReplicaSet"), "spec.template.spec").definitionName())
                .isEqualTo("io.k8s.api.core.v1.PodSpec");

        SchemaNode secret = Schemas.forKind("v1", "Secret");
        assertThat(secret.property("data").type()).isEqualTo(Type.MAP);
        assertThat(secret.property("data").items().format()).isEqualTo("byte");
        assertThat(secret.properties()).containsKeys("stringData", "type", "immutable");
        assertThat(Schemas.forKind("v1", "ConfigMap").properties()).containsKeys("data", "binaryData", "immutable");

        SchemaNode ingress = Schemas.forKind("networking.k8s.io/v1", "Ingress");
        assertThat(at(ingress, "spec.rules").patchStrategy()).isNull();
        assertThat(at(ingress, "spec.rules").listType()).isEqualTo("atomic");
        assertThat(at(ingress, "spec.rules.[].http.paths.[].backend.service.port.number").format())
                .isEqualTo("int32");
        assertThat(at(ingress, "spec.rules.[].http.paths.[].backend.resource.kind").type()).isEqualTo(Type.STRING);
        assertThat(at(ingress, "spec.tls.[].secretName").type()).isEqualTo(Type.STRING);
        assertThat(at(ingress, "status.loadBalancer.ingress.[].ip").type()).isEqualTo(Type.STRING);
        assertThat(at(Schemas.forKind("networking.k8s.io/v1", "IngressClass"), "spec.parameters.scope").type())
                .isEqualTo(Type.STRING);

        SchemaNode slice = Schemas.forKind("discovery.k8s.io/v1", "EndpointSlice");
        assertThat(at(slice, "endpoints.[].conditions").properties()).containsOnlyKeys("ready", "serving",
                "terminating");
        assertThat(at(slice, "endpoints.[].hints.forZones.[].name").type()).isEqualTo(Type.STRING);
        assertThat(at(slice, "ports.[]").definitionName()).isEqualTo("io.k8s.api.discovery.v1.EndpointPort");
        assertThat(at(Schemas.forKind("v1", "Endpoints"), "subsets.[].ports.[]").definitionName())
                .isEqualTo("io.k8s.api.core.v1.EndpointPort");
        assertThat(at(Schemas.forKind("v1", "Endpoints"), "subsets.[].addresses.[].targetRef.uid").type())
                .isEqualTo(Type.STRING);

        SchemaNode node = Schemas.forKind("v1", "Node");
        assertThat(at(node, "spec.podCIDRs").patchStrategy()).isEqualTo("merge");
        assertThat(at(node, "status.addresses").patchMergeKey()).isEqualTo("type");
        assertThat(at(node, "status.daemonEndpoints.kubeletEndpoint.Port").type()).isEqualTo(Type.INTEGER);
        assertThat(at(node, "status.nodeInfo.kubeletVersion").type()).isEqualTo(Type.STRING);

        SchemaNode event = Schemas.forKind("v1", "Event");
        assertThat(event.properties()).containsKeys("involvedObject", "reason", "message", "source",
                "firstTimestamp", "lastTimestamp", "count", "type", "eventTime", "reportingComponent",
                "reportingInstance", "action", "related", "series");
        assertThat(event.property("eventTime").definitionName())
                .isEqualTo("io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime");
    }

    @Test
    void everyNamedDefinitionAndFieldIsDescribed() {
        for (String name : Schemas.definitionNames()) {
            SchemaNode def = Schemas.definition(name).orElseThrow();
            assertThat(def.description()).as("description of %s", name).isNotBlank();
            def.properties().forEach((field, schema) -> {
                // upstream leaves these two undocumented too
                boolean undocumentedUpstream = name.endsWith(".WatchEvent") && field.equals("type")
                        || name.endsWith(".IngressRule") && field.equals("http");
                if (!undocumentedUpstream) {
                    assertThat(schema.description()).as("description of %s.%s", name, field).isNotBlank();
                }
            });
        }
    }
}
