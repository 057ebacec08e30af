package io.svcnet.api.schema.internal;

import static io.svcnet.api.schema.internal.Dsl.CORE;
import static io.svcnet.api.schema.internal.Dsl.any;
import static io.svcnet.api.schema.internal.Dsl.bool;
import static io.svcnet.api.schema.internal.Dsl.def;
import static io.svcnet.api.schema.internal.Dsl.int32;
import static io.svcnet.api.schema.internal.Dsl.int64;
import static io.svcnet.api.schema.internal.Dsl.list;
import static io.svcnet.api.schema.internal.Dsl.map;
import static io.svcnet.api.schema.internal.Dsl.mergeList;
import static io.svcnet.api.schema.internal.Dsl.p;
import static io.svcnet.api.schema.internal.Dsl.ref;
import static io.svcnet.api.schema.internal.Dsl.str;
import static io.svcnet.api.schema.internal.Dsl.strList;
import static io.svcnet.api.schema.internal.Dsl.strMap;
import static io.svcnet.api.schema.internal.MetaDefs.INT_OR_STRING;
import static io.svcnet.api.schema.internal.MetaDefs.QUANTITY;
import static io.svcnet.api.schema.internal.MetaDefs.TIME;

/**
 * core/v1 Pod and everything a PodSpec holds (containers, probes, env, volumes, security contexts,
 * affinity, tolerations), after k8s.io/api v0.32 core/v1/types.go. Rarely used deep corners
 * (CSI and cloud volume sources, ephemeral containers, resource claims) are typed as ANY.
 */
final class PodDefs {

    private PodDefs() {}

    private static final String PROTOCOL_DOC = "Protocol for port. Must be UDP, TCP, or SCTP. Defaults to \"TCP\".";

    static final Node LOCAL_OBJECT_REFERENCE = def(CORE + "LocalObjectReference",
            "LocalObjectReference contains enough information to let you locate the referenced object inside the "
                    + "same namespace.",
            p("name", str("Name of the referent. This field is effectively required, but due to backwards "
                    + "compatibility is allowed to be empty. Instances of this type with an empty value here are "
                    + "almost certainly wrong. More info: "
                    + "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names")
                    .withDefault(Dsl.text(""))));

    // ---- env -------------------------------------------------------------------------------------

    static final Node OBJECT_FIELD_SELECTOR = def(CORE + "ObjectFieldSelector",
            "ObjectFieldSelector selects an APIVersioned field of an object.",
            p("apiVersion", str("Version of the schema the FieldPath is written in terms of, defaults to \"v1\".")),
            p("fieldPath", str("Path of the field to select in the specified API version.")))
            .withRequired("fieldPath");

    static final Node RESOURCE_FIELD_SELECTOR = def(CORE + "ResourceFieldSelector",
            "ResourceFieldSelector represents container resources (cpu, memory) and their output format",
            p("containerName", str("Container name: required for volumes, optional for env vars")),
            p("divisor", ref(QUANTITY, "Specifies the output format of the exposed resources, defaults to \"1\"")),
            p("resource", str("Required: resource to select")))
            .withRequired("resource");

    static final Node CONFIG_MAP_KEY_SELECTOR = def(CORE + "ConfigMapKeySelector",
            "Selects a key from a ConfigMap.",
            p("key", str("The key to select.")),
            p("name", str("Name of the referent. More info: "
                    + "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names")),
            p("optional", bool("Specify whether the ConfigMap or its key must be defined")))
            .withRequired("key");

    static final Node SECRET_KEY_SELECTOR = def(CORE + "SecretKeySelector",
            "SecretKeySelector selects a key of a Secret.",
            p("key", str("The key of the secret to select from.  Must be a valid secret key.")),
            p("name", str("Name of the referent. More info: "
                    + "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names")),
            p("optional", bool("Specify whether the Secret or its key must be defined")))
            .withRequired("key");

    static final Node ENV_VAR_SOURCE = def(CORE + "EnvVarSource",
            "EnvVarSource represents a source for the value of an EnvVar.",
            p("configMapKeyRef", ref(CONFIG_MAP_KEY_SELECTOR, "Selects a key of a ConfigMap.")),
            p("fieldRef", ref(OBJECT_FIELD_SELECTOR, "Selects a field of the pod: supports metadata.name, "
                    + "metadata.namespace, `metadata.labels['<KEY>']`, `metadata.annotations['<KEY>']`, "
                    + "spec.nodeName, spec.serviceAccountName, status.hostIP, status.podIP, status.podIPs.")),
            p("resourceFieldRef", ref(RESOURCE_FIELD_SELECTOR, "Selects a resource of the container: only "
                    + "resources limits and requests (limits.cpu, limits.memory, limits.ephemeral-storage, "
                    + "requests.cpu, requests.memory and requests.ephemeral-storage) are currently supported.")),
            p("secretKeyRef", ref(SECRET_KEY_SELECTOR, "Selects a key of a secret in the pod's namespace")));

    static final Node ENV_VAR = def(CORE + "EnvVar",
            "EnvVar represents an environment variable present in a Container.",
            p("name", str("Name of the environment variable. Must be a C_IDENTIFIER.")),
            p("value", str("Variable references $(VAR_NAME) are expanded using the previously defined environment "
                    + "variables in the container and any service environment variables. If a variable cannot be "
                    + "resolved, the reference in the input string will be unchanged. Double $$ are reduced to a "
                    + "single $, which allows for escaping the $(VAR_NAME) syntax: i.e. \"$$(VAR_NAME)\" will produce "
                    + "the string literal \"$(VAR_NAME)\". Escaped references will never be expanded, regardless of "
                    + "whether the variable exists or not. Defaults to \"\".")),
            p("valueFrom", ref(ENV_VAR_SOURCE, "Source for the environment variable's value. Cannot be used if "
                    + "value is not empty.")))
            .withRequired("name");

    static final Node CONFIG_MAP_ENV_SOURCE = def(CORE + "ConfigMapEnvSource",
            "ConfigMapEnvSource selects a ConfigMap to populate the environment variables with.\n\nThe contents of "
                    + "the target ConfigMap's Data field will represent the key-value pairs as environment variables.",
            p("name", str("Name of the referent. More info: "
                    + "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names")),
            p("optional", bool("Specify whether the ConfigMap must be defined")));

    static final Node SECRET_ENV_SOURCE = def(CORE + "SecretEnvSource",
            "SecretEnvSource selects a Secret to populate the environment variables with.\n\nThe contents of the "
                    + "target Secret's Data field will represent the key-value pairs as environment variables.",
            p("name", str("Name of the referent. More info: "
                    + "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names")),
            p("optional", bool("Specify whether the Secret must be defined")));

    static final Node ENV_FROM_SOURCE = def(CORE + "EnvFromSource",
            "EnvFromSource represents the source of a set of ConfigMaps or Secrets",
            p("configMapRef", ref(CONFIG_MAP_ENV_SOURCE, "The ConfigMap to select from")),
            p("prefix", str("Optional text to prepend to the name of each environment variable. Must be a "
                    + "C_IDENTIFIER.")),
            p("secretRef", ref(SECRET_ENV_SOURCE, "The Secret to select from")));

    // ---- ports, resources, probes ----------------------------------------------------------------

    static final Node CONTAINER_PORT = def(CORE + "ContainerPort",
            "ContainerPort represents a network port in a single container.",
            p("containerPort", int32("Number of port to expose on the pod's IP address. This must be a valid port "
                    + "number, 0 < x < 65536.")),
            p("hostIP", str("What host IP to bind the external port to.")),
            p("hostPort", int32("Number of port to expose on the host. If specified, this must be a valid port "
                    + "number, 0 < x < 65536. If HostNetwork is specified, this must match ContainerPort. Most "
                    + "containers do not need this.")),
            p("name", str("If specified, this must be an IANA_SVC_NAME and unique within the pod. Each named port "
                    + "in a pod must have a unique name. Name for the port that can be referred to by services.")),
            p("protocol", str(PROTOCOL_DOC, "SCTP", "TCP", "UDP").withDefault(Dsl.text("TCP"))))
            .withRequired("containerPort");

    static final Node RESOURCE_CLAIM = def(CORE + "ResourceClaim",
            "ResourceClaim references one entry in PodSpec.ResourceClaims.",
            p("name", str("Name must match the name of one entry in pod.spec.resourceClaims of the Pod where this "
                    + "field is used. It makes that resource available inside a container.")),
            p("request", str("Request is the name chosen for a request in the referenced claim. If empty, "
                    + "everything from the claim is made available, otherwise only the result of this request.")))
            .withRequired("name");

    static final Node RESOURCE_REQUIREMENTS = def(CORE + "ResourceRequirements",
            "ResourceRequirements describes the compute resource requirements.",
            p("claims", list("Claims lists the names of resources, defined in spec.resourceClaims, that are used by "
                    + "this container.\n\nThis is an alpha field and requires enabling the DynamicResourceAllocation "
                    + "feature gate.\n\nThis field is immutable. It can only be set for containers.", RESOURCE_CLAIM)
                    .withListType("map", "name")),
            p("limits", map("Limits describes the maximum amount of compute resources allowed. More info: "
                    + "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/", QUANTITY)),
            p("requests", map("Requests describes the minimum amount of compute resources required. If Requests "
                    + "is omitted for a container, it defaults to Limits if that is explicitly specified, otherwise "
                    + "to an implementation-defined value. Requests cannot exceed Limits. More info: "
                    + "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/", QUANTITY)));

    static final Node EXEC_ACTION = def(CORE + "ExecAction",
            "ExecAction describes a \"run in container\" action.",
            p("command", strList("Command is the command line to execute inside the container, the working "
                    + "directory for the command  is root ('/') in the container's filesystem. The command is simply "
                    + "exec'd, it is not run inside a shell, so traditional shell instructions ('|', etc) won't "
                    + "work. To use a shell, you need to explicitly call out to that shell. Exit status of 0 is "
                    + "treated as live/healthy and non-zero is unhealthy.")));

    static final Node HTTP_HEADER = def(CORE + "HTTPHeader",
            "HTTPHeader describes a custom header to be used in HTTP probes",
            p("name", str("The header field name. This will be canonicalized upon output, so case-variant names "
                    + "will be understood as the same header.")),
            p("value", str("The header field value")))
            .withRequired("name", "value");

    static final Node HTTP_GET_ACTION = def(CORE + "HTTPGetAction",
            "HTTPGetAction describes an action based on HTTP Get requests.",
            p("host", str("Host name to connect to, defaults to the pod IP. You probably want to set \"Host\" in "
                    + "httpHeaders instead.")),
            p("httpHeaders", list("Custom headers to set in the request. HTTP allows repeated headers.", HTTP_HEADER)),
            p("path", str("Path to access on the HTTP server.")),
            p("port", ref(INT_OR_STRING, "Name or number of the port to access on the container. Number must be "
                    + "in the range 1 to 65535. Name must be an IANA_SVC_NAME.")),
            p("scheme", str("Scheme to use for connecting to the host. Defaults to HTTP.", "HTTP", "HTTPS")))
            .withRequired("port");

    static final Node TCP_SOCKET_ACTION = def(CORE + "TCPSocketAction",
            "TCPSocketAction describes an action based on opening a socket",
            p("host", str("Optional: Host name to connect to, defaults to the pod IP.")),
            p("port", ref(INT_OR_STRING, "Number or name of the port to access on the container. Number must be in "
                    + "the range 1 to 65535. Name must be an IANA_SVC_NAME.")))
            .withRequired("port");

    static final Node GRPC_ACTION = def(CORE + "GRPCAction",
            "GRPCAction specifies an action involving a GRPC service.",
            p("port", int32("Port number of the gRPC service. Number must be in the range 1 to 65535.")),
            p("service", str("Service is the name of the service to place in the gRPC HealthCheckRequest (see "
                    + "https://github.com/grpc/grpc/blob/master/doc/health-checking.md).\n\nIf this is not specified, "
                    + "the default behavior is defined by gRPC.").withDefault(Dsl.text(""))))
            .withRequired("port");

    static final Node PROBE = def(CORE + "Probe",
            "Probe describes a health check to be performed against a container to determine whether it is alive "
                    + "or ready to receive traffic.",
            p("exec", ref(EXEC_ACTION, "Exec specifies a command to execute in the container.")),
            p("failureThreshold", int32("Minimum consecutive failures for the probe to be considered failed after "
                    + "having succeeded. Defaults to 3. Minimum value is 1.")),
            p("grpc", ref(GRPC_ACTION, "GRPC specifies a GRPC HealthCheckRequest.")),
            p("httpGet", ref(HTTP_GET_ACTION, "HTTPGet specifies an HTTP GET request to perform.")),
            p("initialDelaySeconds", int32("Number of seconds after the container has started before liveness "
                    + "probes are initiated. More info: "
                    + "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes")),
            p("periodSeconds", int32("How often (in seconds) to perform the probe. Default to 10 seconds. Minimum "
                    + "value is 1.")),
            p("successThreshold", int32("Minimum consecutive successes for the probe to be considered successful "
                    + "after having failed. Defaults to 1. Must be 1 for liveness and startup. Minimum value is 1.")),
            p("tcpSocket", ref(TCP_SOCKET_ACTION, "TCPSocket specifies a connection to a TCP port.")),
            p("terminationGracePeriodSeconds", int64("Optional duration in seconds the pod needs to terminate "
                    + "gracefully upon probe failure. The grace period is the duration in seconds after the "
                    + "processes running in the pod are sent a termination signal and the time when the processes "
                    + "are forcibly halted with a kill signal. If this value is nil, the pod's "
                    + "terminationGracePeriodSeconds will be used. Otherwise, this value overrides the value "
                    + "provided by the pod spec. Minimum value is 1.")),
            p("timeoutSeconds", int32("Number of seconds after which the probe times out. Defaults to 1 second. "
                    + "Minimum value is 1. More info: "
                    + "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes")));

    static final Node SLEEP_ACTION = def(CORE + "SleepAction",
            "SleepAction describes a \"sleep\" action.",
            p("seconds", int64("Seconds is the number of seconds to sleep.")))
            .withRequired("seconds");

    static final Node LIFECYCLE_HANDLER = def(CORE + "LifecycleHandler",
            "LifecycleHandler defines a specific action that should be taken in a lifecycle hook. One and only one "
                    + "of the fields, except TCPSocket must be specified.",
            p("exec", ref(EXEC_ACTION, "Exec specifies a command to execute in the container.")),
            p("httpGet", ref(HTTP_GET_ACTION, "HTTPGet specifies an HTTP GET request to perform.")),
            p("sleep", ref(SLEEP_ACTION, "Sleep represents a duration that the container should sleep.")),
            p("tcpSocket", ref(TCP_SOCKET_ACTION, "Deprecated. TCPSocket is NOT supported as a LifecycleHandler "
                    + "and kept for backward compatibility.")));

    static final Node LIFECYCLE = def(CORE + "Lifecycle",
            "Lifecycle describes actions that the management system should take in response to container "
                    + "lifecycle events. For the PostStart and PreStop lifecycle handlers, management of the "
                    + "container blocks until the action is complete, unless the container process fails, in which "
                    + "case the handler is aborted.",
            p("postStart", ref(LIFECYCLE_HANDLER, "PostStart is called immediately after a container is created. If "
                    + "the handler fails, the container is terminated and restarted according to its restart "
                    + "policy. Other management of the container blocks until the hook completes.")),
            p("preStop", ref(LIFECYCLE_HANDLER, "PreStop is called immediately before a container is terminated due "
                    + "to an API request or management event such as liveness/startup probe failure, preemption, "
                    + "resource contention, etc. The handler is not called if the container crashes or exits.")));

    // ---- volumes mounts and security -------------------------------------------------------------

    static final Node VOLUME_MOUNT = def(CORE + "VolumeMount",
            "VolumeMount describes a mounting of a Volume within a container.",
            p("mountPath", str("Path within the container at which the volume should be mounted.  Must not contain "
                    + "':'.")),
            p("mountPropagation", str("mountPropagation determines how mounts are propagated from the host to "
                    + "container and the other way around. When not set, MountPropagationNone is used.",
                    "Bidirectional", "HostToContainer", "None")),
            p("name", str("This must match the Name of a Volume.")),
            p("readOnly", bool("Mounted read-only if true, read-write otherwise (false or unspecified). Defaults to "
                    + "false.")),
            p("recursiveReadOnly", str("RecursiveReadOnly specifies whether read-only mounts should be handled "
                    + "recursively. If ReadOnly is false, this field has no meaning and must be unspecified.")),
            p("subPath", str("Path within the volume from which the container's volume should be mounted. Defaults "
                    + "to \"\" (volume's root).")),
            p("subPathExpr", str("Expanded path within the volume from which the container's volume should be "
                    + "mounted. Behaves similarly to SubPath but environment variable references $(VAR_NAME) are "
                    + "expanded using the container's environment. Defaults to \"\" (volume's root). SubPathExpr and "
                    + "SubPath are mutually exclusive.")))
            .withRequired("name", "mountPath");

    static final Node VOLUME_DEVICE = def(CORE + "VolumeDevice",
            "volumeDevice describes a mapping of a raw block device within a container.",
            p("devicePath", str("devicePath is the path inside of the container that the device will be mapped "
                    + "to.")),
            p("name", str("name must match the name of a persistentVolumeClaim in the pod")))
            .withRequired("name", "devicePath");

    static final Node CAPABILITIES = def(CORE + "Capabilities",
            "Adds and removes POSIX capabilities from running containers.",
            p("add", strList("Added capabilities")),
            p("drop", strList("Removed capabilities")));

    static final Node SE_LINUX_OPTIONS = def(CORE + "SELinuxOptions",
            "SELinuxOptions are the labels to be applied to the container",
            p("level", str("Level is SELinux level label that applies to the container.")),
            p("role", str("Role is a SELinux role label that applies to the container.")),
            p("type", str("Type is a SELinux type label that applies to the container.")),
            p("user", str("User is a SELinux user label that applies to the container.")));

    static final Node SECCOMP_PROFILE = def(CORE + "SeccompProfile",
            "SeccompProfile defines a pod/container's seccomp profile settings. Only one profile source may be "
                    + "set.",
            p("localhostProfile", str("localhostProfile indicates a profile defined in a file on the node should be "
                    + "used. The profile must be preconfigured on the node to work. Must be a descending path, "
                    + "relative to the kubelet's configured seccomp profile location. Must be set if type is "
                    + "\"Localhost\". Must NOT be set for any other type.")),
            p("type", str("type indicates which kind of seccomp profile will be applied. Valid options are:\n\n"
                    + "Localhost - a profile defined in a file on the node should be used. RuntimeDefault - the "
                    + "container runtime default profile should be used. Unconfined - no profile should be applied.",
                    "Localhost", "RuntimeDefault", "Unconfined")))
            .withRequired("type");

    static final Node APP_ARMOR_PROFILE = def(CORE + "AppArmorProfile",
            "AppArmorProfile defines a pod or container's AppArmor settings.",
            p("localhostProfile", str("localhostProfile indicates a profile loaded on the node that should be "
                    + "used. The profile must be preconfigured on the node to work. Must match the loaded name of "
                    + "the profile. Must be set if and only if type is \"Localhost\".")),
            p("type", str("type indicates which kind of AppArmor profile will be applied. Valid options are:\n  "
                    + "Localhost - a profile pre-loaded on the node.\n  RuntimeDefault - the container runtime's "
                    + "default profile.\n  Unconfined - no AppArmor enforcement.",
                    "Localhost", "RuntimeDefault", "Unconfined")))
            .withRequired("type");

    static final Node WINDOWS_OPTIONS = def(CORE + "WindowsSecurityContextOptions",
            "WindowsSecurityContextOptions contain Windows-specific options and credentials.",
            p("gmsaCredentialSpec", str("GMSACredentialSpec is where the GMSA admission webhook inlines the "
                    + "contents of the GMSA credential spec named by the GMSACredentialSpecName field.")),
            p("gmsaCredentialSpecName", str("GMSACredentialSpecName is the name of the GMSA credential spec to "
                    + "use.")),
            p("hostProcess", bool("HostProcess determines if a container should be run as a 'Host Process' "
                    + "container.")),
            p("runAsUserName", str("The UserName in Windows to run the entrypoint of the container process. "
                    + "Defaults to the user specified in image metadata if unspecified.")));

    static final Node SECURITY_CONTEXT = def(CORE + "SecurityContext",
            "SecurityContext holds security configuration that will be applied to a container. Some fields are "
                    + "present in both SecurityContext and PodSecurityContext.  When both are set, the values in "
                    + "SecurityContext take precedence.",
            p("allowPrivilegeEscalation", bool("AllowPrivilegeEscalation controls whether a process can gain more "
                    + "privileges than its parent process. This bool directly controls if the no_new_privs flag will "
                    + "be set on the container process. Note that this field cannot be set when spec.os.name is "
                    + "windows.")),
            p("appArmorProfile", ref(APP_ARMOR_PROFILE, "appArmorProfile is the AppArmor options to use by this "
                    + "container. If set, this profile overrides the pod's appArmorProfile.")),
            p("capabilities", ref(CAPABILITIES, "The capabilities to add/drop when running containers. Defaults to "
                    + "the default set of capabilities granted by the container runtime.")),
            p("privileged", bool("Run container in privileged mode. Processes in privileged containers are "
                    + "essentially equivalent to root on the host. Defaults to false.")),
            p("procMount", str("procMount denotes the type of proc mount to use for the containers. The default "
                    + "value is Default which uses the container runtime defaults for readonly paths and masked "
                    + "paths.", "Default", "Unmasked")),
            p("readOnlyRootFilesystem", bool("Whether this container has a read-only root filesystem. Default is "
                    + "false.")),
            p("runAsGroup", int64("The GID to run the entrypoint of the container process. Uses runtime default if "
                    + "unset.")),
            p("runAsNonRoot", bool("Indicates that the container must run as a non-root user. If true, the Kubelet "
                    + "will validate the image at runtime to ensure that it does not run as UID 0 (root) and fail to "
                    + "start the container if it does.")),
            p("runAsUser", int64("The UID to run the entrypoint of the container process. Defaults to user "
                    + "specified in image metadata if unspecified.")),
            p("seLinuxOptions", ref(SE_LINUX_OPTIONS, "The SELinux context to be applied to the container. If "
                    + "unspecified, the container runtime will allocate a random SELinux context for each "
                    + "container.")),
            p("seccompProfile", ref(SECCOMP_PROFILE, "The seccomp options to use by this container. If seccomp "
                    + "options are provided at both the pod & container level, the container options override the "
                    + "pod options.")),
            p("windowsOptions", ref(WINDOWS_OPTIONS, "The Windows specific settings applied to all containers.")));

    static final Node CONTAINER_RESIZE_POLICY = def(CORE + "ContainerResizePolicy",
            "ContainerResizePolicy represents resource resize policy for the container.",
            p("resourceName", str("Name of the resource to which this resource resize policy applies. Supported "
                    + "values: cpu, memory.")),
            p("restartPolicy", str("Restart policy to apply when specified resource is resized. If not specified, "
                    + "it defaults to NotRequired.")))
            .withRequired("resourceName", "restartPolicy");

    static final Node CONTAINER = def(CORE + "Container",
            "A single application container that you want to run within a pod.",
            p("args", strList("Arguments to the entrypoint. The container image's CMD is used if this is not "
                    + "provided. Variable references $(VAR_NAME) are expanded using the container's environment. "
                    + "Cannot be updated. More info: "
                    + "https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#running-a-command-in-a-shell")),
            p("command", strList("Entrypoint array. Not executed within a shell. The container image's ENTRYPOINT "
                    + "is used if this is not provided. Variable references $(VAR_NAME) are expanded using the "
                    + "container's environment. Cannot be updated. More info: "
                    + "https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#running-a-command-in-a-shell")),
            p("env", mergeList("List of environment variables to set in the container. Cannot be updated.", ENV_VAR,
                    "name", "name")),
            p("envFrom", list("List of sources to populate environment variables in the container. The keys defined "
                    + "within a source must be a C_IDENTIFIER. All invalid keys will be reported as an event when "
                    + "the container is starting. When a key exists in multiple sources, the value associated with "
                    + "the last source will take precedence. Values defined by an Env with a duplicate key will take "
                    + "precedence. Cannot be updated.", ENV_FROM_SOURCE)),
            p("image", str("Container image name. More info: https://kubernetes.io/docs/concepts/containers/images "
                    + "This field is optional to allow higher level config management to default or override "
                    + "container images in workload controllers like Deployments and StatefulSets.")),
            p("imagePullPolicy", str("Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if "
                    + ":latest tag is specified, or IfNotPresent otherwise. Cannot be updated. More info: "
                    + "https://kubernetes.io/docs/concepts/containers/images#updating-images",
                    "Always", "IfNotPresent", "Never")),
            p("lifecycle", ref(LIFECYCLE, "Actions that the management system should take in response to container "
                    + "lifecycle events. Cannot be updated.")),
            p("livenessProbe", ref(PROBE, "Periodic probe of container liveness. Container will be restarted if the "
                    + "probe fails. Cannot be updated. More info: "
                    + "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes")),
            p("name", str("Name of the container specified as a DNS_LABEL. Each container in a pod must have a "
                    + "unique name (DNS_LABEL). Cannot be updated.").withDefault(Dsl.text(""))),
            p("ports", mergeList("List of ports to expose from the container. Not specifying a port here DOES NOT "
                    + "prevent that port from being exposed. Any port which is listening on the default \"0.0.0.0\" "
                    + "address inside a container will be accessible from the network. Modifying this array with "
                    + "strategic merge patch may corrupt the data. For more information See "
                    + "https://github.com/kubernetes/kubernetes/issues/108255. Cannot be updated.", CONTAINER_PORT,
                    "containerPort", "containerPort", "protocol")),
            p("readinessProbe", ref(PROBE, "Periodic probe of container service readiness. Container will be "
                    + "removed from service endpoints if the probe fails. Cannot be updated. More info: "
                    + "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes")),
            p("resizePolicy", list("Resources resize policy for the container.", CONTAINER_RESIZE_POLICY)),
            p("resources", ref(RESOURCE_REQUIREMENTS, "Compute Resources required by this container. Cannot be "
                    + "updated. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/")
                    .withDefault(Dsl.emptyObject())),
            p("restartPolicy", str("RestartPolicy defines the restart behavior of individual containers in a pod. "
                    + "This field may only be set for init containers, and the only allowed value is \"Always\".")),
            p("securityContext", ref(SECURITY_CONTEXT, "SecurityContext defines the security options the container "
                    + "should be run with. If set, the fields of SecurityContext override the equivalent fields of "
                    + "PodSecurityContext. More info: "
                    + "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/")),
            p("startupProbe", ref(PROBE, "StartupProbe indicates that the Pod has successfully initialized. If "
                    + "specified, no other probes are executed until this completes successfully. If this probe "
                    + "fails, the Pod will be restarted, just as if the livenessProbe failed. Cannot be updated. More "
                    + "info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes")),
            p("stdin", bool("Whether this container should allocate a buffer for stdin in the container runtime. If "
                    + "this is not set, reads from stdin in the container will always result in EOF. Default is "
                    + "false.")),
            p("stdinOnce", bool("Whether the container runtime should close the stdin channel after it has been "
                    + "opened by a single attach. When stdin is true the stdin stream will remain open across "
                    + "multiple attach sessions. Default is false")),
            p("terminationMessagePath", str("Optional: Path at which the file to which the container's termination "
                    + "message will be written is mounted into the container's filesystem. Defaults to "
                    + "/dev/termination-log. Cannot be updated.")),
            p("terminationMessagePolicy", str("Indicate how the termination message should be populated. File will "
                    + "use the contents of terminationMessagePath to populate the container status message on both "
                    + "success and failure. FallbackToLogsOnError will use the last chunk of container log output "
                    + "if the termination message file is empty and the container exited with an error. Defaults "
                    + "to File. Cannot be updated.", "FallbackToLogsOnError", "File")),
            p("tty", bool("Whether this container should allocate a TTY for itself, also requires 'stdin' to be "
                    + "true. Default is false.")),
            p("volumeDevices", mergeList("volumeDevices is the list of block devices to be used by the container.",
                    VOLUME_DEVICE, "devicePath", "devicePath")),
            p("volumeMounts", mergeList("Pod volumes to mount into the container's filesystem. Cannot be updated.",
                    VOLUME_MOUNT, "mountPath", "mountPath")),
            p("workingDir", str("Container's working directory. If not specified, the container runtime's default "
                    + "will be used, which might be configured in the container image. Cannot be updated.")))
            .withRequired("name");

    // ---- volumes -------------------------------------------------------------------------------

    static final Node KEY_TO_PATH = def(CORE + "KeyToPath",
            "Maps a string key to a path within a volume.",
            p("key", str("key is the key to project.")),
            p("mode", int32("mode is Optional: mode bits used to set permissions on this file. Must be an octal "
                    + "value between 0000 and 0777 or a decimal value between 0 and 511.")),
            p("path", str("path is the relative path of the file to map the key to. May not be an absolute path. "
                    + "May not contain the path element '..'. May not start with the string '..'.")))
            .withRequired("key", "path");

    static final Node CONFIG_MAP_VOLUME_SOURCE = def(CORE + "ConfigMapVolumeSource",
            "Adapts a ConfigMap into a volume.\n\nThe contents of the target ConfigMap's Data field will be "
                    + "presented in a volume as files using the keys in the Data field as the file names, unless the "
                    + "items element is populated with specific mappings of keys to paths.",
            p("defaultMode", int32("defaultMode is optional: mode bits used to set permissions on created files by "
                    + "default. Defaults to 0644.")),
            p("items", list("items if unspecified, each key-value pair in the Data field of the referenced ConfigMap "
                    + "will be projected into the volume as a file whose name is the key and content is the value.",
                    KEY_TO_PATH)),
            p("name", str("Name of the referent. More info: "
                    + "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names")),
            p("optional", bool("optional specify whether the ConfigMap or its keys must be defined")));

    static final Node SECRET_VOLUME_SOURCE = def(CORE + "SecretVolumeSource",
            "Adapts a Secret into a volume.\n\nThe contents of the target Secret's Data field will be presented in "
                    + "a volume as files using the keys in the Data field as the file names.",
            p("defaultMode", int32("defaultMode is Optional: mode bits used to set permissions on created files by "
                    + "default. Defaults to 0644.")),
            p("items", list("items If unspecified, each key-value pair in the Data field of the referenced Secret "
                    + "will be projected into the volume as a file whose name is the key and content is the value.",
                    KEY_TO_PATH)),
            p("optional", bool("optional field specify whether the Secret or its keys must be defined")),
            p("secretName", str("secretName is the name of the secret in the pod's namespace to use. More info: "
                    + "https://kubernetes.io/docs/concepts/storage/volumes#secret")));

    static final Node EMPTY_DIR_VOLUME_SOURCE = def(CORE + "EmptyDirVolumeSource",
            "Represents an empty directory for a pod. Empty directory volumes support ownership management and "
                    + "SELinux relabeling.",
            p("medium", str("medium represents what type of storage medium should back this directory. The "
                    + "default is \"\" which means to use the node's default medium. Must be an empty string "
                    + "(default) or Memory.")),
            p("sizeLimit", ref(QUANTITY, "sizeLimit is the total amount of local storage required for this EmptyDir "
                    + "volume.")));

    static final Node HOST_PATH_VOLUME_SOURCE = def(CORE + "HostPathVolumeSource",
            "Represents a host path mapped into a pod. Host path volumes do not support ownership management or "
                    + "SELinux relabeling.",
            p("path", str("path of the directory on the host. If the path is a symlink, it will follow the link to "
                    + "the real path. More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath")),
            p("type", str("type for HostPath Volume Defaults to \"\" More info: "
                    + "https://kubernetes.io/docs/concepts/storage/volumes#hostpath",
                    "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate",
                    "Socket")))
            .withRequired("path");

    static final Node PVC_VOLUME_SOURCE = def(CORE + "PersistentVolumeClaimVolumeSource",
            "PersistentVolumeClaimVolumeSource references the user's PVC in the same namespace.",
            p("claimName", str("claimName is the name of a PersistentVolumeClaim in the same namespace as the pod "
                    + "using this volume.")),
            p("readOnly", bool("readOnly Will force the ReadOnly setting in VolumeMounts. Default false.")))
            .withRequired("claimName");

    static final Node DOWNWARD_API_VOLUME_FILE = def(CORE + "DownwardAPIVolumeFile",
            "DownwardAPIVolumeFile represents information to create the file containing the pod field",
            p("fieldRef", ref(OBJECT_FIELD_SELECTOR, "Required: Selects a field of the pod: only annotations, "
                    + "labels, name, namespace and uid are supported.")),
            p("mode", int32("Optional: mode bits used to set permissions on this file, must be an octal value "
                    + "between 0000 and 0777 or a decimal value between 0 and 511.")),
            p("path", str("Required: Path is  the relative path name of the file to be created. Must not be "
                    + "absolute or contain the '..' path.")),
            p("resourceFieldRef", ref(RESOURCE_FIELD_SELECTOR, "Selects a resource of the container: only resources "
                    + "limits and requests (limits.cpu, limits.memory, requests.cpu and requests.memory) are "
                    + "currently supported.")))
            .withRequired("path");

    static final Node DOWNWARD_API_VOLUME_SOURCE = def(CORE + "DownwardAPIVolumeSource",
            "DownwardAPIVolumeSource represents a volume containing downward API info. Downward API volumes "
                    + "support ownership management and SELinux relabeling.",
            p("defaultMode", int32("Optional: mode bits to use on created files by default.")),
            p("items", list("Items is a list of downward API volume file", DOWNWARD_API_VOLUME_FILE)));

    static final Node NFS_VOLUME_SOURCE = def(CORE + "NFSVolumeSource",
            "Represents an NFS mount that lasts the lifetime of a pod. NFS volumes do not support ownership "
                    + "management or SELinux relabeling.",
            p("path", str("path that is exported by the NFS server.")),
            p("readOnly", bool("readOnly here will force the NFS export to be mounted with read-only permissions. "
                    + "Defaults to false.")),
            p("server", str("server is the hostname or IP address of the NFS server.")))
            .withRequired("server", "path");

    static final Node VOLUME = def(CORE + "Volume",
            "Volume represents a named volume in a pod that may be accessed by any container in the pod.",
            p("awsElasticBlockStore", any("Deprecated: an AWS Disk resource attached to the kubelet's host "
                    + "machine and then exposed to the pod.")),
            p("azureDisk", any("Deprecated: an Azure Data Disk mount on the host and bind mount to the pod.")),
            p("azureFile", any("Deprecated: an Azure File Service mount on the host and bind mount to the pod.")),
            p("cephfs", any("Deprecated: a Ceph FS mount on the host that shares a pod's lifetime.")),
            p("cinder", any("Deprecated: a cinder volume attached and mounted on kubelets host machine.")),
            p("configMap", ref(CONFIG_MAP_VOLUME_SOURCE, "configMap represents a configMap that should populate "
                    + "this volume")),
            p("csi", any("csi (Container Storage Interface) represents ephemeral storage that is handled by "
                    + "certain external CSI drivers.")),
            p("downwardAPI", ref(DOWNWARD_API_VOLUME_SOURCE, "downwardAPI represents downward API about the pod that "
                    + "should populate this volume")),
            p("emptyDir", ref(EMPTY_DIR_VOLUME_SOURCE, "emptyDir represents a temporary directory that shares a "
                    + "pod's lifetime. More info: https://kubernetes.io/docs/concepts/storage/volumes#emptydir")),
            p("ephemeral", any("ephemeral represents a volume that is handled by a cluster storage driver. The "
                    + "volume's lifecycle is tied to the pod that defines it - it will be created before the pod "
                    + "starts, and deleted when the pod is removed.")),
            p("fc", any("fc represents a Fibre Channel resource that is attached to a kubelet's host machine and "
                    + "then exposed to the pod.")),
            p("flexVolume", any("Deprecated: a generic volume resource provisioned/attached using an exec based "
                    + "plugin.")),
            p("flocker", any("Deprecated: a Flocker volume attached to a kubelet's host machine.")),
            p("gcePersistentDisk", any("Deprecated: a GCE Disk resource attached to the kubelet's host machine.")),
            p("gitRepo", any("Deprecated: a git repository at a particular revision.")),
            p("glusterfs", any("Deprecated: a Glusterfs mount on the host that shares a pod's lifetime.")),
            p("hostPath", ref(HOST_PATH_VOLUME_SOURCE, "hostPath represents a pre-existing file or directory on the "
                    + "host machine that is directly exposed to the container. More info: "
                    + "https://kubernetes.io/docs/concepts/storage/volumes#hostpath")),
            p("image", any("image represents an OCI object (a container image or artifact) pulled and mounted on "
                    + "the kubelet's host machine.")),
            p("iscsi", any("iscsi represents an ISCSI Disk resource that is attached to a kubelet's host machine "
                    + "and then exposed to the pod.")),
            p("name", str("name of the volume. Must be a DNS_LABEL and unique within the pod. More info: "
                    + "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names")),
            p("nfs", ref(NFS_VOLUME_SOURCE, "nfs represents an NFS mount on the host that shares a pod's lifetime "
                    + "More info: https://kubernetes.io/docs/concepts/storage/volumes#nfs")),
            p("persistentVolumeClaim", ref(PVC_VOLUME_SOURCE, "persistentVolumeClaimVolumeSource represents a "
                    + "reference to a PersistentVolumeClaim in the same namespace. More info: "
                    + "https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims")),
            p("photonPersistentDisk", any("Deprecated: a PhotonController persistent disk.")),
            p("portworxVolume", any("Deprecated: a portworx volume.")),
            p("projected", any("projected items for all in one resources secrets, configmaps, and downward API")),
            p("quobyte", any("Deprecated: a Quobyte mount on the host that shares a pod's lifetime.")),
            p("rbd", any("Deprecated: a Rados Block Device mount on the host that shares a pod's lifetime.")),
            p("scaleIO", any("Deprecated: a ScaleIO persistent volume attached and mounted on Kubernetes nodes.")),
            p("secret", ref(SECRET_VOLUME_SOURCE, "secret represents a secret that should populate this volume. More "
                    + "info: https://kubernetes.io/docs/concepts/storage/volumes#secret")),
            p("storageos", any("Deprecated: a StorageOS volume attached and mounted on Kubernetes nodes.")),
            p("vsphereVolume", any("Deprecated: a vSphere volume attached and mounted on kubelets host machine.")))
            .withRequired("name");

    // ---- scheduling ------------------------------------------------------------------------------

    static final Node NODE_SELECTOR_REQUIREMENT = def(CORE + "NodeSelectorRequirement",
            "A node selector requirement is a selector that contains values, a key, and an operator that relates "
                    + "the key and values.",
            p("key", str("The label key that the selector applies to.")),
            p("operator", str("Represents a key's relationship to a set of values. Valid operators are In, NotIn, "
                    + "Exists, DoesNotExist. Gt, and Lt.", "DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn")),
            p("values", strList("An array of string values. If the operator is In or NotIn, the values array must "
                    + "be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. If "
                    + "the operator is Gt or Lt, the values array must have a single element, which will be "
                    + "interpreted as an integer. This array is replaced during a strategic merge patch.")))
            .withRequired("key", "operator");

    static final Node NODE_SELECTOR_TERM = def(CORE + "NodeSelectorTerm",
            "A null or empty node selector term matches no objects. The requirements of them are ANDed. The "
                    + "TopologySelectorTerm type implements a subset of the NodeSelectorTerm.",
            p("matchExpressions", list("A list of node selector requirements by node's labels.",
                    NODE_SELECTOR_REQUIREMENT)),
            p("matchFields", list("A list of node selector requirements by node's fields.",
                    NODE_SELECTOR_REQUIREMENT)));

    static final Node NODE_SELECTOR = def(CORE + "NodeSelector",
            "A node selector represents the union of the results of one or more label queries over a set of "
                    + "nodes; that is, it represents the OR of the selectors represented by the node selector terms.",
            p("nodeSelectorTerms", list("Required. A list of node selector terms. The terms are ORed.",
                    NODE_SELECTOR_TERM)))
            .withRequired("nodeSelectorTerms");

    static final Node PREFERRED_SCHEDULING_TERM = def(CORE + "PreferredSchedulingTerm",
            "An empty preferred scheduling term matches all objects with implicit weight 0 (i.e. it's a no-op). A "
                    + "null preferred scheduling term matches no objects (i.e. is also a no-op).",
            p("preference", ref(NODE_SELECTOR_TERM, "A node selector term, associated with the corresponding "
                    + "weight.")),
            p("weight", int32("Weight associated with matching the corresponding nodeSelectorTerm, in the range "
                    + "1-100.")))
            .withRequired("weight", "preference");

    static final Node NODE_AFFINITY = def(CORE + "NodeAffinity",
            "Node affinity is a group of node affinity scheduling rules.",
            p("preferredDuringSchedulingIgnoredDuringExecution", list("The scheduler will prefer to schedule pods "
                    + "to nodes that satisfy the affinity expressions specified by this field, but it may choose a "
                    + "node that violates one or more of the expressions.", PREFERRED_SCHEDULING_TERM)),
            p("requiredDuringSchedulingIgnoredDuringExecution", ref(NODE_SELECTOR, "If the affinity requirements "
                    + "specified by this field are not met at scheduling time, the pod will not be scheduled onto "
                    + "the node.")));

    static final Node POD_AFFINITY_TERM = def(CORE + "PodAffinityTerm",
            "Defines a set of pods (namely those matching the labelSelector relative to the given namespace(s)) "
                    + "that this pod should be co-located (affinity) or not co-located (anti-affinity) with, where "
                    + "co-located is defined as running on a node whose value of the label with key <topologyKey> "
                    + "matches that of any node on which a pod of the set of pods is running",
            p("labelSelector", ref(MetaDefs.LABEL_SELECTOR, "A label query over a set of resources, in this case "
                    + "pods. If it's null, this PodAffinityTerm matches with no Pods.")),
            p("matchLabelKeys", strList("MatchLabelKeys is a set of pod label keys to select which pods will be "
                    + "taken into consideration.")),
            p("mismatchLabelKeys", strList("MismatchLabelKeys is a set of pod label keys to select which pods will "
                    + "be taken into consideration.")),
            p("namespaceSelector", ref(MetaDefs.LABEL_SELECTOR, "A label query over the set of namespaces that the "
                    + "term applies to.")),
            p("namespaces", strList("namespaces specifies a static list of namespace names that the term applies "
                    + "to.")),
            p("topologyKey", str("This pod should be co-located (affinity) or not co-located (anti-affinity) with "
                    + "the pods matching the labelSelector in the specified namespaces, where co-located is defined "
                    + "as running on a node whose value of the label with key topologyKey matches that of any node "
                    + "on which any of the selected pods is running. Empty topologyKey is not allowed.")))
            .withRequired("topologyKey");

    static final Node WEIGHTED_POD_AFFINITY_TERM = def(CORE + "WeightedPodAffinityTerm",
            "The weights of all of the matched WeightedPodAffinityTerm fields are added per-node to find the most "
                    + "preferred node(s)",
            p("podAffinityTerm", ref(POD_AFFINITY_TERM, "Required. A pod affinity term, associated with the "
                    + "corresponding weight.")),
            p("weight", int32("weight associated with matching the corresponding podAffinityTerm, in the range "
                    + "1-100.")))
            .withRequired("weight", "podAffinityTerm");

    static final Node POD_AFFINITY = def(CORE + "PodAffinity",
            "Pod affinity is a group of inter pod affinity scheduling rules.",
            p("preferredDuringSchedulingIgnoredDuringExecution", list("The scheduler will prefer to schedule pods "
                    + "to nodes that satisfy the affinity expressions specified by this field.",
                    WEIGHTED_POD_AFFINITY_TERM)),
            p("requiredDuringSchedulingIgnoredDuringExecution", list("If the affinity requirements specified by "
                    + "this field are not met at scheduling time, the pod will not be scheduled onto the node.",
                    POD_AFFINITY_TERM)));

    static final Node POD_ANTI_AFFINITY = def(CORE + "PodAntiAffinity",
            "Pod anti affinity is a group of inter pod anti affinity scheduling rules.",
            p("preferredDuringSchedulingIgnoredDuringExecution", list("The scheduler will prefer to schedule pods "
                    + "to nodes that satisfy the anti-affinity expressions specified by this field.",
                    WEIGHTED_POD_AFFINITY_TERM)),
            p("requiredDuringSchedulingIgnoredDuringExecution", list("If the anti-affinity requirements specified "
                    + "by this field are not met at scheduling time, the pod will not be scheduled onto the node.",
                    POD_AFFINITY_TERM)));

    static final Node AFFINITY = def(CORE + "Affinity",
            "Affinity is a group of affinity scheduling rules.",
            p("nodeAffinity", ref(NODE_AFFINITY, "Describes node affinity scheduling rules for the pod.")),
            p("podAffinity", ref(POD_AFFINITY, "Describes pod affinity scheduling rules (e.g. co-locate this pod "
                    + "in the same node, zone, etc. as some other pod(s)).")),
            p("podAntiAffinity", ref(POD_ANTI_AFFINITY, "Describes pod anti-affinity scheduling rules (e.g. avoid "
                    + "putting this pod in the same node, zone, etc. as some other pod(s)).")));

    static final Node TOLERATION = def(CORE + "Toleration",
            "The pod this Toleration is attached to tolerates any taint that matches the triple "
                    + "<key,value,effect> using the matching operator <operator>.",
            p("effect", str("Effect indicates the taint effect to match. Empty means match all taint effects. When "
                    + "specified, allowed values are NoSchedule, PreferNoSchedule and NoExecute.",
                    "NoExecute", "NoSchedule", "PreferNoSchedule")),
            p("key", str("Key is the taint key that the toleration applies to. Empty means match all taint keys. If "
                    + "the key is empty, operator must be Exists; this combination means to match all values and "
                    + "all keys.")),
            p("operator", str("Operator represents a key's relationship to the value. Valid operators are Exists "
                    + "and Equal. Defaults to Equal. Exists is equivalent to wildcard for value, so that a pod can "
                    + "tolerate all taints of a particular category.", "Equal", "Exists")),
            p("tolerationSeconds", int64("TolerationSeconds represents the period of time the toleration (which "
                    + "must be of effect NoExecute, otherwise this field is ignored) tolerates the taint. By default, "
                    + "it is not set, which means tolerate the taint forever (do not evict). Zero and negative "
                    + "values will be treated as 0 (evict immediately) by the system.")),
            p("value", str("Value is the taint value the toleration matches to. If the operator is Exists, the "
                    + "value should be empty, otherwise just a regular string.")));

    static final Node TOPOLOGY_SPREAD_CONSTRAINT = def(CORE + "TopologySpreadConstraint",
            "TopologySpreadConstraint specifies how to spread matching pods among the given topology.",
            p("labelSelector", ref(MetaDefs.LABEL_SELECTOR, "LabelSelector is used to find matching pods. Pods "
                    + "that match this label selector are counted to determine the number of pods in their "
                    + "corresponding topology domain.")),
            p("matchLabelKeys", strList("MatchLabelKeys is a set of pod label keys to select the pods over which "
                    + "spreading will be calculated.")),
            p("maxSkew", int32("MaxSkew describes the degree to which pods may be unevenly distributed. It's the "
                    + "maximum permitted difference between the number of matching pods in the target topology and "
                    + "the global minimum.")),
            p("minDomains", int32("MinDomains indicates a minimum number of eligible domains.")),
            p("nodeAffinityPolicy", str("NodeAffinityPolicy indicates how we will treat Pod's "
                    + "nodeAffinity/nodeSelector when calculating pod topology spread skew.", "Honor", "Ignore")),
            p("nodeTaintsPolicy", str("NodeTaintsPolicy indicates how we will treat node taints when calculating "
                    + "pod topology spread skew.", "Honor", "Ignore")),
            p("topologyKey", str("TopologyKey is the key of node labels. Nodes that have a label with this key and "
                    + "identical values are considered to be in the same topology.")),
            p("whenUnsatisfiable", str("WhenUnsatisfiable indicates how to deal with a pod if it doesn't satisfy "
                    + "the spread constraint.", "DoNotSchedule", "ScheduleAnyway")))
            .withRequired("maxSkew", "topologyKey", "whenUnsatisfiable");

    static final Node HOST_ALIAS = def(CORE + "HostAlias",
            "HostAlias holds the mapping between IP and hostnames that will be injected as an entry in the pod's "
                    + "hosts file.",
            p("hostnames", strList("Hostnames for the above IP address.")),
            p("ip", str("IP address of the host file entry.")))
            .withRequired("ip");

    static final Node POD_DNS_CONFIG_OPTION = def(CORE + "PodDNSConfigOption",
            "PodDNSConfigOption defines DNS resolver options of a pod.",
            p("name", str("Name is this DNS resolver option's name. Required.")),
            p("value", str("Value is this DNS resolver option's value.")));

    static final Node POD_DNS_CONFIG = def(CORE + "PodDNSConfig",
            "PodDNSConfig defines the DNS parameters of a pod in addition to those generated from DNSPolicy.",
            p("nameservers", strList("A list of DNS name server IP addresses. This will be appended to the base "
                    + "nameservers generated from DNSPolicy. Duplicated nameservers will be removed.")),
            p("options", list("A list of DNS resolver options. This will be merged with the base options generated "
                    + "from DNSPolicy. Duplicated entries will be removed. Resolution options given in Options will "
                    + "override those that appear in the base DNSPolicy.", POD_DNS_CONFIG_OPTION)),
            p("searches", strList("A list of DNS search domains for host-name lookup. This will be appended to the "
                    + "base search paths generated from DNSPolicy. Duplicated search paths will be removed.")));

    static final Node SYSCTL = def(CORE + "Sysctl",
            "Sysctl defines a kernel parameter to be set",
            p("name", str("Name of a property to set")),
            p("value", str("Value of a property to set")))
            .withRequired("name", "value");

    static final Node POD_SECURITY_CONTEXT = def(CORE + "PodSecurityContext",
            "PodSecurityContext holds pod-level security attributes and common container settings. Some fields "
                    + "are also present in container.securityContext.  Field values of container.securityContext "
                    + "take precedence over field values of PodSecurityContext.",
            p("appArmorProfile", ref(APP_ARMOR_PROFILE, "appArmorProfile is the AppArmor options to use by the "
                    + "containers in this pod.")),
            p("fsGroup", int64("A special supplemental group that applies to all containers in a pod. Some volume "
                    + "types allow the Kubelet to change the ownership of that volume to be owned by the pod.")),
            p("fsGroupChangePolicy", str("fsGroupChangePolicy defines behavior of changing ownership and permission "
                    + "of the volume before being exposed inside Pod.", "Always", "OnRootMismatch")),
            p("runAsGroup", int64("The GID to run the entrypoint of the container process. Uses runtime default if "
                    + "unset.")),
            p("runAsNonRoot", bool("Indicates that the container must run as a non-root user.")),
            p("runAsUser", int64("The UID to run the entrypoint of the container process. Defaults to user "
                    + "specified in image metadata if unspecified.")),
            p("seLinuxChangePolicy", str("seLinuxChangePolicy defines how the container's SELinux label is applied "
                    + "to all volumes used by the Pod.")),
            p("seLinuxOptions", ref(SE_LINUX_OPTIONS, "The SELinux context to be applied to all containers.")),
            p("seccompProfile", ref(SECCOMP_PROFILE, "The seccomp options to use by the containers in this pod.")),
            p("supplementalGroups", list("A list of groups applied to the first process run in each container, in "
                    + "addition to the container's primary GID and fsGroup (if specified).", int64(""))),
            p("supplementalGroupsPolicy", str("Defines how supplemental groups of the first container processes "
                    + "are calculated.", "Merge", "Strict")),
            p("sysctls", list("Sysctls hold a list of namespaced sysctls used for the pod. Pods with unsupported "
                    + "sysctls (by the container runtime) might fail to launch.", SYSCTL)),
            p("windowsOptions", ref(WINDOWS_OPTIONS, "The Windows specific settings applied to all containers.")));

    static final Node POD_OS = def(CORE + "PodOS",
            "PodOS defines the OS parameters of a pod.",
            p("name", str("Name is the name of the operating system. The currently supported values are linux and "
                    + "windows.")))
            .withRequired("name");

    static final Node POD_READINESS_GATE = def(CORE + "PodReadinessGate",
            "PodReadinessGate contains the reference to a pod condition",
            p("conditionType", str("ConditionType refers to a condition in the pod's condition list with matching "
                    + "type.")))
            .withRequired("conditionType");

    static final Node POD_SCHEDULING_GATE = def(CORE + "PodSchedulingGate",
            "PodSchedulingGate is associated to a Pod to guard its scheduling.",
            p("name", str("Name of the scheduling gate. Each scheduling gate must have a unique name field.")))
            .withRequired("name");

    static final Node POD_SPEC = def(CORE + "PodSpec",
            "PodSpec is a description of a pod.",
            p("activeDeadlineSeconds", int64("Optional duration in seconds the pod may be active on the node "
                    + "relative to StartTime before the system will actively try to mark it failed and kill "
                    + "associated containers. Value must be a positive integer.")),
            p("affinity", ref(AFFINITY, "If specified, the pod's scheduling constraints")),
            p("automountServiceAccountToken", bool("AutomountServiceAccountToken indicates whether a service "
                    + "account token should be automatically mounted.")),
            p("containers", mergeList("List of containers belonging to the pod. Containers cannot currently be "
                    + "added or removed. There must be at least one container in a Pod. Cannot be updated.",
                    CONTAINER, "name", "name")),
            p("dnsConfig", ref(POD_DNS_CONFIG, "Specifies the DNS parameters of a pod. Parameters specified here "
                    + "will be merged to the generated DNS configuration based on DNSPolicy.")),
            p("dnsPolicy", str("Set DNS policy for the pod. Defaults to \"ClusterFirst\". Valid values are "
                    + "'ClusterFirstWithHostNet', 'ClusterFirst', 'Default' or 'None'. DNS parameters given in "
                    + "DNSConfig will be merged with the policy selected with DNSPolicy. To have DNS options set "
                    + "along with hostNetwork, you have to specify DNS policy explicitly to "
                    + "'ClusterFirstWithHostNet'.", "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None")),
            p("enableServiceLinks", bool("EnableServiceLinks indicates whether information about services should "
                    + "be injected into pod's environment variables, matching the syntax of Docker links. Optional: "
                    + "Defaults to true.")),
            p("ephemeralContainers", mergeList("List of ephemeral containers run in this pod. Ephemeral containers "
                    + "may be run in an existing pod to perform user-initiated actions such as debugging. This list "
                    + "cannot be specified when creating a pod, and it cannot be modified by updating the pod spec.",
                    any("An EphemeralContainer is a temporary container that you may add to an existing Pod for "
                            + "user-initiated activities such as debugging."), "name", "name")),
            p("hostAliases", mergeList("HostAliases is an optional list of hosts and IPs that will be injected into "
                    + "the pod's hosts file if specified.", HOST_ALIAS, "ip", "ip")),
            p("hostIPC", bool("Use the host's ipc namespace. Optional: Default to false.")),
            p("hostNetwork", bool("Host networking requested for this pod. Use the host's network namespace. If "
                    + "this option is set, the ports that will be used must be specified. Default to false.")),
            p("hostPID", bool("Use the host's pid namespace. Optional: Default to false.")),
            p("hostUsers", bool("Use the host's user namespace. Optional: Default to true.")),
            p("hostname", str("Specifies the hostname of the Pod If not specified, the pod's hostname will be set "
                    + "to a system-defined value.")),
            p("imagePullSecrets", mergeList("ImagePullSecrets is an optional list of references to secrets in the "
                    + "same namespace to use for pulling any of the images used by this PodSpec. More info: "
                    + "https://kubernetes.io/docs/concepts/containers/images#specifying-imagepullsecrets-on-a-pod",
                    LOCAL_OBJECT_REFERENCE, "name", "name")),
            p("initContainers", mergeList("List of initialization containers belonging to the pod. Init containers "
                    + "are executed in order prior to containers being started. If any init container fails, the "
                    + "pod is considered to have failed and is handled according to its restartPolicy. More info: "
                    + "https://kubernetes.io/docs/concepts/workloads/pods/init-containers/", CONTAINER, "name",
                    "name")),
            p("nodeName", str("NodeName indicates in which node this pod is scheduled. If empty, this pod is a "
                    + "candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, "
                    + "the kubelet for this node becomes responsible for the lifecycle of this pod.")),
            p("nodeSelector", strMap("NodeSelector is a selector which must be true for the pod to fit on a node. "
                    + "Selector which must match a node's labels for the pod to be scheduled on that node. More "
                    + "info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/")),
            p("os", ref(POD_OS, "Specifies the OS of the containers in the pod.")),
            p("overhead", map("Overhead represents the resource overhead associated with running a pod for a given "
                    + "RuntimeClass.", QUANTITY)),
            p("preemptionPolicy", str("PreemptionPolicy is the Policy for preempting pods with lower priority. One "
                    + "of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.",
                    "Never", "PreemptLowerPriority")),
            p("priority", int32("The priority value. Various system components use this field to find the priority "
                    + "of the pod.")),
            p("priorityClassName", str("If specified, indicates the pod's priority. \"system-node-critical\" and "
                    + "\"system-cluster-critical\" are two special keywords which indicate the highest priorities.")),
            p("readinessGates", list("If specified, all readiness gates will be evaluated for pod readiness.",
                    POD_READINESS_GATE)),
            p("resourceClaims", mergeList("ResourceClaims defines which ResourceClaims must be allocated and "
                    + "reserved before the Pod is allowed to start.", any("PodResourceClaim references exactly "
                            + "one ResourceClaim."), "name", "name").withPatch("merge,retainKeys", "name")),
            p("resources", ref(RESOURCE_REQUIREMENTS, "Resources is the total amount of CPU and Memory resources "
                    + "required by all containers in the pod (alpha, PodLevelResources feature gate).")),
            p("restartPolicy", str("Restart policy for all containers within the pod. One of Always, OnFailure, "
                    + "Never. In some contexts, only a subset of those values may be permitted. Default to Always. "
                    + "More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#restart-policy",
                    "Always", "Never", "OnFailure")),
            p("runtimeClassName", str("RuntimeClassName refers to a RuntimeClass object in the node.k8s.io group, "
                    + "which should be used to run this pod.")),
            p("schedulerName", str("If specified, the pod will be dispatched by specified scheduler. If not "
                    + "specified, the pod will be dispatched by default scheduler.")),
            p("schedulingGates", mergeList("SchedulingGates is an opaque list of values that if specified will "
                    + "block scheduling the pod.", POD_SCHEDULING_GATE, "name", "name")),
            p("securityContext", ref(POD_SECURITY_CONTEXT, "SecurityContext holds pod-level security attributes "
                    + "and common container settings. Optional: Defaults to empty.  See type description for "
                    + "default values of each field.")),
            p("serviceAccount", str("DeprecatedServiceAccount is a deprecated alias for ServiceAccountName. "
                    + "Deprecated: Use serviceAccountName instead.")),
            p("serviceAccountName", str("ServiceAccountName is the name of the ServiceAccount to use to run this "
                    + "pod. More info: https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/")),
            p("setHostnameAsFQDN", bool("If true the pod's hostname will be configured as the pod's FQDN, rather "
                    + "than the leaf name (the default).")),
            p("shareProcessNamespace", bool("Share a single process namespace between all of the containers in a "
                    + "pod. Optional: Default to false.")),
            p("subdomain", str("If specified, the fully qualified Pod hostname will be "
                    + "\"<hostname>.<subdomain>.<pod namespace>.svc.<cluster domain>\". If not specified, the pod "
                    + "will not have a domainname at all.")),
            p("terminationGracePeriodSeconds", int64("Optional duration in seconds the pod needs to terminate "
                    + "gracefully. May be decreased in delete request. Value must be non-negative integer. The value "
                    + "zero indicates stop immediately via the kill signal (no opportunity to shut down). If this "
                    + "value is nil, the default grace period will be used instead. Defaults to 30 seconds.")),
            p("tolerations", list("If specified, the pod's tolerations.", TOLERATION)),
            p("topologySpreadConstraints", mergeList("TopologySpreadConstraints describes how a group of pods ought "
                    + "to spread across topology domains. Scheduler will schedule pods in a way which abides by the "
                    + "constraints. All topologySpreadConstraints are ANDed.", TOPOLOGY_SPREAD_CONSTRAINT,
                    "topologyKey", "topologyKey", "whenUnsatisfiable")),
            p("volumes", mergeList("List of volumes that can be mounted by containers belonging to the pod. More "
                    + "info: https://kubernetes.io/docs/concepts/storage/volumes", VOLUME, "name", "name")
                    .withPatch("merge,retainKeys", "name")))
            .withRequired("containers");

    static final Node POD_TEMPLATE_SPEC = def(CORE + "PodTemplateSpec",
            "PodTemplateSpec describes the data a pod should have when created from a template",
            p("metadata", MetaDefs.objectMetaField()),
            p("spec", ref(POD_SPEC, "Specification of the desired behavior of the pod. More info: "
                    + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status")));

    // ---- status ----------------------------------------------------------------------------------

    static final Node POD_CONDITION = def(CORE + "PodCondition",
            "PodCondition contains details for the current condition of this pod.",
            p("lastProbeTime", ref(TIME, "Last time we probed the condition.")),
            p("lastTransitionTime", ref(TIME, "Last time the condition transitioned from one status to another.")),
            p("message", str("Human-readable message indicating details about last transition.")),
            p("reason", str("Unique, one-word, CamelCase reason for the condition's last transition.")),
            p("status", str("Status is the status of the condition. Can be True, False, Unknown. More info: "
                    + "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-conditions")),
            p("type", str("Type is the type of the condition. More info: "
                    + "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-conditions")))
            .withRequired("type", "status");

    static final Node CONTAINER_STATE_RUNNING = def(CORE + "ContainerStateRunning",
            "ContainerStateRunning is a running state of a container.",
            p("startedAt", ref(TIME, "Time at which the container was last (re-)started")));

    static final Node CONTAINER_STATE_TERMINATED = def(CORE + "ContainerStateTerminated",
            "ContainerStateTerminated is a terminated state of a container.",
            p("containerID", str("Container's ID in the format '<type>://<container_id>'")),
            p("exitCode", int32("Exit status from the last termination of the container")),
            p("finishedAt", ref(TIME, "Time at which the container last terminated")),
            p("message", str("Message regarding the last termination of the container")),
            p("reason", str("(brief) reason from the last termination of the container")),
            p("signal", int32("Signal from the last termination of the container")),
            p("startedAt", ref(TIME, "Time at which previous execution of the container started")))
            .withRequired("exitCode");

    static final Node CONTAINER_STATE_WAITING = def(CORE + "ContainerStateWaiting",
            "ContainerStateWaiting is a waiting state of a container.",
            p("message", str("Message regarding why the container is not yet running.")),
            p("reason", str("(brief) reason the container is not yet running.")));

    static final Node CONTAINER_STATE = def(CORE + "ContainerState",
            "ContainerState holds a possible state of container. Only one of its members may be specified. If none "
                    + "of them is specified, the default one is ContainerStateWaiting.",
            p("running", ref(CONTAINER_STATE_RUNNING, "Details about a running container")),
            p("terminated", ref(CONTAINER_STATE_TERMINATED, "Details about a terminated container")),
            p("waiting", ref(CONTAINER_STATE_WAITING, "Details about a waiting container")));

    static final Node CONTAINER_STATUS = def(CORE + "ContainerStatus",
            "ContainerStatus contains details for the current status of this container.",
            p("allocatedResources", map("AllocatedResources represents the compute resources allocated for this "
                    + "container by the node.", QUANTITY)),
            p("allocatedResourcesStatus", list("AllocatedResourcesStatus represents the status of various "
                    + "resources allocated for this Pod.", any("ResourceStatus represents the status of a single "
                            + "resource allocated to a Pod."))),
            p("containerID", str("ContainerID is the ID of the container in the format "
                    + "'<type>://<container_id>'.")),
            p("image", str("Image is the name of container image that the container is running.")),
            p("imageID", str("ImageID is the image ID of the container's image.")),
            p("lastState", ref(CONTAINER_STATE, "LastTerminationState holds the last termination state of the "
                    + "container to help debug container crashes and restarts.").withDefault(Dsl.emptyObject())),
            p("name", str("Name is a DNS_LABEL representing the unique name of the container. Each container in a "
                    + "pod must have a unique name across all container types. Cannot be updated.")),
            p("ready", bool("Ready specifies whether the container is currently passing its readiness check. The "
                    + "value will change as readiness probes keep executing.")),
            p("resources", ref(RESOURCE_REQUIREMENTS, "Resources represents the compute resource requests and "
                    + "limits that have been successfully enacted on the running container after it has been "
                    + "started or has been successfully resized.")),
            p("restartCount", int32("RestartCount holds the number of times the container has been restarted.")),
            p("started", bool("Started indicates whether the container has finished its postStart lifecycle hook "
                    + "and passed its startup probe.")),
            p("state", ref(CONTAINER_STATE, "State holds details about the container's current condition.")
                    .withDefault(Dsl.emptyObject())),
            p("user", any("User represents user identity information initially attached to the first process of "
                    + "the container")),
            p("volumeMounts", mergeList("Status of volume mounts.", any("VolumeMountStatus shows status of volume "
                    + "mounts."), "mountPath", "mountPath")))
            .withRequired("name", "ready", "restartCount", "image", "imageID");

    static final Node POD_IP = def(CORE + "PodIP",
            "PodIP represents a single IP address allocated to the pod.",
            p("ip", str("IP is the IP address assigned to the pod")))
            .withRequired("ip");

    static final Node HOST_IP = def(CORE + "HostIP",
            "HostIP represents a single IP address allocated to the host.",
            p("ip", str("IP is the IP address assigned to the host")))
            .withRequired("ip");

    static final Node POD_STATUS = def(CORE + "PodStatus",
            "PodStatus represents information about the status of a pod. Status may trail the actual state of a "
                    + "system, especially if the node that hosts the pod cannot contact the control plane.",
            p("conditions", mergeList("Current service state of pod. More info: "
                    + "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-conditions", POD_CONDITION,
                    "type", "type")),
            p("containerStatuses", list("Statuses of containers in this pod. Each container in the pod should have "
                    + "at most one status in this list, and all statuses should be for containers in the pod.",
                    CONTAINER_STATUS)),
            p("ephemeralContainerStatuses", list("Statuses for any ephemeral containers that have run in this pod.",
                    CONTAINER_STATUS)),
            p("hostIP", str("hostIP holds the IP address of the host to which the pod is assigned. Empty if the pod "
                    + "has not started yet.")),
            p("hostIPs", mergeList("hostIPs holds the IP addresses allocated to the host. If this field is "
                    + "specified, the first entry must match the hostIP field.", HOST_IP, "ip", "ip")),
            p("initContainerStatuses", list("Statuses of init containers in this pod. The most recent successful "
                    + "non-restartable init container will have ready = true.", CONTAINER_STATUS)),
            p("message", str("A human readable message indicating details about why the pod is in this "
                    + "condition.")),
            p("nominatedNodeName", str("nominatedNodeName is set only when this pod preempts other pods on the "
                    + "node, but it cannot be scheduled right away as preemption victims receive their graceful "
                    + "termination periods.")),
            p("phase", str("The phase of a Pod is a simple, high-level summary of where the Pod is in its "
                    + "lifecycle. The conditions array, the reason and message fields, and the individual container "
                    + "status arrays contain more detail about the pod's status.\n\nPending: The pod has been "
                    + "accepted by the Kubernetes system, but one or more of the container images has not been "
                    + "created. Running: The pod has been bound to a node, and all of the containers have been "
                    + "created. Succeeded: All containers in the pod have terminated in success. Failed: All "
                    + "containers in the pod have terminated, and at least one container has terminated in failure. "
                    + "Unknown: For some reason the state of the pod could not be obtained.\n\nMore info: "
                    + "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-phase",
                    "Failed", "Pending", "Running", "Succeeded", "Unknown")),
            p("podIP", str("podIP address allocated to the pod. Routable at least within the cluster. Empty if not "
                    + "yet allocated.")),
            p("podIPs", mergeList("podIPs holds the IP addresses allocated to the pod. If this field is specified, "
                    + "the 0th entry must match the podIP field. Pods may be allocated at most 1 value for each of "
                    + "IPv4 and IPv6.", POD_IP, "ip", "ip")),
            p("qosClass", str("The Quality of Service (QOS) classification assigned to the pod based on resource "
                    + "requirements. More info: "
                    + "https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/#quality-of-service-classes",
                    "BestEffort", "Burstable", "Guaranteed")),
            p("reason", str("A brief CamelCase message indicating details about why the pod is in this state. e.g. "
                    + "'Evicted'")),
            p("resize", str("Status of resources resize desired for pod's containers.")),
            p("resourceClaimStatuses", mergeList("Status of resource claims.", any("PodResourceClaimStatus is "
                    + "stored in the PodStatus for each PodResourceClaim."), "name", "name")
                    .withPatch("merge,retainKeys", "name")),
            p("startTime", ref(TIME, "RFC 3339 date and time at which the object was acknowledged by the Kubelet. "
                    + "This is before the Kubelet pulled the container image(s) for the pod.")));

    static final Node POD = Kinds.object(CORE + "Pod",
            "Pod is a collection of containers that can run on a host. This resource is created by clients and "
                    + "scheduled onto hosts.",
            ref(POD_SPEC, "Specification of the desired behavior of the pod. More info: "
                    + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"),
            ref(POD_STATUS, "Most recently observed status of the pod. This data may not be up to date. Populated "
                    + "by the system. Read-only. More info: "
                    + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status"));
}
