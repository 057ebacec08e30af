package io.svcnet.api.schema.internal;

import static io.svcnet.api.schema.internal.Dsl.bool;
import static io.svcnet.api.schema.internal.Dsl.def;
import static io.svcnet.api.schema.internal.Dsl.int32;
import static io.svcnet.api.schema.internal.Dsl.int64;
import static io.svcnet.api.schema.internal.Dsl.mergeList;
import static io.svcnet.api.schema.internal.Dsl.p;
import static io.svcnet.api.schema.internal.Dsl.ref;
import static io.svcnet.api.schema.internal.Dsl.str;
import static io.svcnet.api.schema.internal.MetaDefs.INT_OR_STRING;
import static io.svcnet.api.schema.internal.MetaDefs.LABEL_SELECTOR;
import static io.svcnet.api.schema.internal.MetaDefs.TIME;

/**
 * apps/v1 Deployment and ReplicaSet, and autoscaling/v1 Scale (the {@code /scale} subresource body),
 * after k8s.io/api v0.32 apps/v1/types.go and autoscaling/v1/types.go.
 */
final class AppsDefs {

    private AppsDefs() {}

    static final String APPS = "io.k8s.api.apps.v1.";
    static final String AUTOSCALING = "io.k8s.api.autoscaling.v1.";

    private static final String SPEC_DOC = "https://git.k8s.io/community/contributors/devel/sig-architecture/"
            + "api-conventions.md#spec-and-status";

    private static final String TEMPLATE_DOC = "Template describes the pods that will be created.";

    static final Node ROLLING_UPDATE_DEPLOYMENT = def(APPS + "RollingUpdateDeployment",
            "Spec to control the desired behavior of rolling update.",
            p("maxSurge", ref(INT_OR_STRING, "The maximum number of pods that can be scheduled above the desired "
                    + "number of pods. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: "
                    + "10%). This can not be 0 if MaxUnavailable is 0. Absolute number is calculated from percentage "
                    + "by rounding up. Defaults to 25%. Example: when this is set to 30%, the new ReplicaSet can be "
                    + "scaled up immediately when the rolling update starts, such that the total number of old and "
                    + "new pods do not exceed 130% of desired pods. Once old pods have been killed, new ReplicaSet "
                    + "can be scaled up further, ensuring that total number of pods running at any time during the "
                    + "update is at most 130% of desired pods.")),
            p("maxUnavailable", ref(INT_OR_STRING, "The maximum number of pods that can be unavailable during the "
                    + "update. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). "
                    + "Absolute number is calculated from percentage by rounding down. This can not be 0 if MaxSurge "
                    + "is 0. Defaults to 25%. Example: when this is set to 30%, the old ReplicaSet can be scaled "
                    + "down to 70% of desired pods immediately when the rolling update starts. Once new pods are "
                    + "ready, old ReplicaSet can be scaled down further, followed by scaling up the new ReplicaSet, "
                    + "ensuring that the total number of pods available at all times during the update is at least "
                    + "70% of desired pods.")));

    static final Node DEPLOYMENT_STRATEGY = def(APPS + "DeploymentStrategy",
            "DeploymentStrategy describes how to replace existing pods with new ones.",
            p("rollingUpdate", ref(ROLLING_UPDATE_DEPLOYMENT, "Rolling update config params. Present only if "
                    + "DeploymentStrategyType = RollingUpdate.")),
            p("type", str("Type of deployment. Can be \"Recreate\" or \"RollingUpdate\". Default is RollingUpdate.",
                    "Recreate", "RollingUpdate")));

    static final Node DEPLOYMENT_SPEC = def(APPS + "DeploymentSpec",
            "DeploymentSpec is the specification of the desired behavior of the Deployment.",
            p("minReadySeconds", int32("Minimum number of seconds for which a newly created pod should be ready "
                    + "without any of its container crashing, for it to be considered available. Defaults to 0 (pod "
                    + "will be considered available as soon as it is ready)")),
            p("paused", bool("Indicates that the deployment is paused.")),
            p("progressDeadlineSeconds", int32("The maximum time in seconds for a deployment to make progress "
                    + "before it is considered to be failed. The deployment controller will continue to process "
                    + "failed deployments and a condition with a ProgressDeadlineExceeded reason will be surfaced in "
                    + "the deployment status. Note that progress will not be estimated during the time a deployment "
                    + "is paused. Defaults to 600s.")),
            p("replicas", int32("Number of desired pods. This is a pointer to distinguish between explicit zero and "
                    + "not specified. Defaults to 1.")),
            p("revisionHistoryLimit", int32("The number of old ReplicaSets to retain to allow rollback. This is a "
                    + "pointer to distinguish between explicit zero and not specified. Defaults to 10.")),
            p("selector", ref(LABEL_SELECTOR, "Label selector for pods. Existing ReplicaSets whose pods are "
                    + "selected by this will be the ones affected by this deployment. It must match the pod "
                    + "template's labels.")),
            p("strategy", ref(DEPLOYMENT_STRATEGY, "The deployment strategy to use to replace existing pods with "
                    + "new ones.").withDefault(Dsl.emptyObject()).withPatch("retainKeys", null)),
            p("template", ref(PodDefs.POD_TEMPLATE_SPEC, TEMPLATE_DOC + " The only allowed "
                    + "template.spec.restartPolicy value is \"Always\".").withDefault(Dsl.emptyObject())))
            .withRequired("selector", "template");

    static final Node DEPLOYMENT_CONDITION = def(APPS + "DeploymentCondition",
            "DeploymentCondition describes the state of a deployment at a certain point.",
            p("lastTransitionTime", ref(TIME, "Last time the condition transitioned from one status to another.")),
            p("lastUpdateTime", ref(TIME, "The last time this condition was updated.")),
            p("message", str("A human readable message indicating details about the transition.")),
            p("reason", str("The reason for the condition's last transition.")),
            p("status", str("Status of the condition, one of True, False, Unknown.")),
            p("type", str("Type of deployment condition.")))
            .withRequired("type", "status");

    static final Node DEPLOYMENT_STATUS = def(APPS + "DeploymentStatus",
            "DeploymentStatus is the most recently observed status of the Deployment.",
            p("availableReplicas", int32("Total number of available pods (ready for at least minReadySeconds) "
                    + "targeted by this deployment.")),
            p("collisionCount", int32("Count of hash collisions for the Deployment. The Deployment controller uses "
                    + "this field as a collision avoidance mechanism when it needs to create the name for the newest "
                    + "ReplicaSet.")),
            p("conditions", mergeList("Represents the latest available observations of a deployment's current "
                    + "state.", DEPLOYMENT_CONDITION, "type", "type")),
            p("observedGeneration", int64("The generation observed by the deployment controller.")),
            p("readyReplicas", int32("readyReplicas is the number of pods targeted by this Deployment with a Ready "
                    + "Condition.")),
            p("replicas", int32("Total number of non-terminated pods targeted by this deployment (their labels "
                    + "match the selector).")),
            p("unavailableReplicas", int32("Total number of unavailable pods targeted by this deployment. This is "
                    + "the total number of pods that are still required for the deployment to have 100% available "
                    + "capacity. They may either be pods that are running but not yet available or pods that still "
                    + "have not been created.")),
            p("updatedReplicas", int32("Total number of non-terminated pods targeted by this deployment that have "
                    + "the desired template spec.")));

    static final Node DEPLOYMENT = Kinds.object(APPS + "Deployment",
            "Deployment enables declarative updates for Pods and ReplicaSets.",
            ref(DEPLOYMENT_SPEC, "Specification of the desired behavior of the Deployment.")
                    .withDefault(Dsl.emptyObject()),
            ref(DEPLOYMENT_STATUS, "Most recently observed status of the Deployment.")
                    .withDefault(Dsl.emptyObject()));

    static final Node REPLICA_SET_SPEC = def(APPS + "ReplicaSetSpec",
            "ReplicaSetSpec is the specification of a ReplicaSet.",
            p("minReadySeconds", int32("Minimum number of seconds for which a newly created pod should be ready "
                    + "without any of its container crashing, for it to be considered available. Defaults to 0 (pod "
                    + "will be considered available as soon as it is ready)")),
            p("replicas", int32("Replicas is the number of desired pods. This is a pointer to distinguish between "
                    + "explicit zero and unspecified. Defaults to 1. More info: "
                    + "https://kubernetes.io/docs/concepts/workloads/controllers/replicaset")),
            p("selector", ref(LABEL_SELECTOR, "Selector is a label query over pods that should match the replica "
                    + "count. Label keys and values that must match in order to be controlled by this replica set. "
                    + "It must match the pod template's labels. More info: "
                    + "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors")),
            p("template", ref(PodDefs.POD_TEMPLATE_SPEC, "Template is the object that describes the pod that will "
                    + "be created if insufficient replicas are detected. More info: "
                    + "https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#pod-template")
                    .withDefault(Dsl.emptyObject())))
            .withRequired("selector");

    static final Node REPLICA_SET_CONDITION = def(APPS + "ReplicaSetCondition",
            "ReplicaSetCondition describes the state of a replica set at a certain point.",
            p("lastTransitionTime", ref(TIME, "The last time the condition transitioned from one status to "
                    + "another.")),
            p("message", str("A human readable message indicating details about the transition.")),
            p("reason", str("The reason for the condition's last transition.")),
            p("status", str("Status of the condition, one of True, False, Unknown.")),
            p("type", str("Type of replica set condition.")))
            .withRequired("type", "status");

    static final Node REPLICA_SET_STATUS = def(APPS + "ReplicaSetStatus",
            "ReplicaSetStatus represents the current status of a ReplicaSet.",
            p("availableReplicas", int32("The number of available replicas (ready for at least minReadySeconds) "
                    + "for this replica set.")),
            p("conditions", mergeList("Represents the latest available observations of a replica set's current "
                    + "state.", REPLICA_SET_CONDITION, "type", "type")),
            p("fullyLabeledReplicas", int32("The number of pods that have labels matching the labels of the pod "
                    + "template of the replicaset.")),
            p("observedGeneration", int64("ObservedGeneration reflects the generation of the most recently "
                    + "observed ReplicaSet.")),
            p("readyReplicas", int32("readyReplicas is the number of pods targeted by this ReplicaSet with a Ready "
                    + "Condition.")),
            p("replicas", int32("Replicas is the most recently observed number of replicas. More info: "
                    + "https://kubernetes.io/docs/concepts/workloads/controllers/replicaset")))
            .withRequired("replicas");

    static final Node REPLICA_SET = Kinds.object(APPS + "ReplicaSet",
            "ReplicaSet ensures that a specified number of pod replicas are running at any given time.",
            ref(REPLICA_SET_SPEC, "Spec defines the specification of the desired behavior of the ReplicaSet. More "
                    + "info: " + SPEC_DOC).withDefault(Dsl.emptyObject()),
            ref(REPLICA_SET_STATUS, "Status is the most recently observed status of the ReplicaSet. This data may "
                    + "be out of date by some window of time. Populated by the system. Read-only. More info: "
                    + SPEC_DOC).withDefault(Dsl.emptyObject()));

    static final Node SCALE = Kinds.object(AUTOSCALING + "Scale",
            "Scale represents a scaling request for a resource.",
            ref(def(AUTOSCALING + "ScaleSpec", "ScaleSpec describes the attributes of a scale subresource.",
                    p("replicas", int32("replicas is the desired number of instances for the scaled object."))),
                    "spec defines the behavior of the scale. More info: " + SPEC_DOC)
                    .withDefault(Dsl.emptyObject()),
            ref(def(AUTOSCALING + "ScaleStatus", "ScaleStatus represents the current status of a scale "
                            + "subresource.",
                    p("replicas", int32("replicas is the actual number of observed instances of the scaled "
                            + "object.")),
                    p("selector", str("selector is the label query over pods that should match the replicas count. "
                            + "This is same as the label selector but in the string format to avoid introspection by "
                            + "clients. The string will be in the same format as the query-param syntax. More info "
                            + "about label selectors: "
                            + "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/")))
                    .withRequired("replicas"),
                    "status is the current status of the scale. More info: " + SPEC_DOC + ". Read-only."));
}
