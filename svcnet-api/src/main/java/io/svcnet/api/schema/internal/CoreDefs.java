package io.svcnet.api.schema.internal;

import static io.svcnet.api.schema.internal.Dsl.CORE;
import static io.svcnet.api.schema.internal.Dsl.any;
import static io.svcnet.api.schema.internal.Dsl.bool;
import static io.svcnet.api.schema.internal.Dsl.bytes;
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
import static io.svcnet.api.schema.internal.MetaDefs.MICRO_TIME;
import static io.svcnet.api.schema.internal.MetaDefs.QUANTITY;
import static io.svcnet.api.schema.internal.MetaDefs.TIME;

/**
 * core/v1 kinds other than Pod: Namespace, Service, Endpoints, Node, Secret, ConfigMap, Event,
 * ServiceAccount, after k8s.io/api v0.32 core/v1/types.go (ServiceSpec complete as of 1.32).
 */
final class CoreDefs {

    private CoreDefs() {}

    private static final String SPEC_DOC = "https://git.k8s.io/community/contributors/devel/sig-architecture/"
            + "api-conventions.md#spec-and-status";

    static final Node OBJECT_REFERENCE = def(CORE + "ObjectReference",
            "ObjectReference contains enough information to let you inspect or modify the referred object.",
            p("apiVersion", str("API version of the referent.")),
            p("fieldPath", str("If referring to a piece of an object instead of an entire object, this string "
                    + "should contain a valid JSON/Go field access statement, such as "
                    + "desiredState.manifest.containers[2]. For example, if the object reference is to a container "
                    + "within a pod, this would take on a value like: \"spec.containers{name}\" (where \"name\" "
                    + "refers to the name of the container that triggered the event) or if no container name is "
                    + "specified \"spec.containers[2]\" (container with index 2 in this pod).")),
            p("kind", str("Kind of the referent. More info: "
                    + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds")),
            p("name", str("Name of the referent. More info: "
                    + "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names")),
            p("namespace", str("Namespace of the referent. More info: "
                    + "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/")),
            p("resourceVersion", str("Specific resourceVersion to which this reference is made, if any. More info: "
                    + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency")),
            p("uid", str("UID of the referent. More info: "
                    + "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#uids")));

    // ---- Namespace -------------------------------------------------------------------------------

    static final Node NAMESPACE_CONDITION = def(CORE + "NamespaceCondition",
            "NamespaceCondition contains details about state of namespace.",
            p("lastTransitionTime", ref(TIME, "Last time the condition transitioned from one status to another.")),
            p("message", str("Human-readable message indicating details about last transition.")),
            p("reason", str("Unique, one-word, CamelCase reason for the condition's last transition.")),
            p("status", str("Status of the condition, one of True, False, Unknown.")),
            p("type", str("Type of namespace controller condition.")))
            .withRequired("type", "status");

    static final Node NAMESPACE = Kinds.object(CORE + "Namespace",
            "Namespace provides a scope for Names. Use of multiple namespaces is optional.",
            ref(def(CORE + "NamespaceSpec", "NamespaceSpec describes the attributes on a Namespace.",
                    p("finalizers", strList("Finalizers is an opaque list of values that must be empty to "
                            + "permanently remove object from storage. More info: "
                            + "https://kubernetes.io/docs/tasks/administer-cluster/namespaces/"))),
                    "Spec defines the behavior of the Namespace. More info: " + SPEC_DOC),
            ref(def(CORE + "NamespaceStatus", "NamespaceStatus is information about the current status of a "
                            + "Namespace.",
                    p("conditions", mergeList("Represents the latest available observations of a namespace's "
                            + "current state.", NAMESPACE_CONDITION, "type", "type")),
                    p("phase", str("Phase is the current lifecycle phase of the namespace. More info: "
                            + "https://kubernetes.io/docs/tasks/administer-cluster/namespaces/",
                            "Active", "Terminating"))),
                    "Status describes the current status of a Namespace. More info: " + SPEC_DOC));

    // ---- Service ---------------------------------------------------------------------------------

    static final Node SERVICE_PORT = def(CORE + "ServicePort",
            "ServicePort contains information on service's port.",
            p("appProtocol", str("The application protocol for this port. This is used as a hint for "
                    + "implementations to offer richer behavior for protocols that they understand. This field "
                    + "follows standard Kubernetes label syntax. Valid values are either:\n\n* Un-prefixed protocol "
                    + "names - reserved for IANA standard service names (as per RFC-6335 and "
                    + "https://www.iana.org/assignments/service-names).\n\n* Kubernetes-defined prefixed names:\n  * "
                    + "'kubernetes.io/h2c' - HTTP/2 prior knowledge over cleartext as described in "
                    + "https://www.rfc-editor.org/rfc/rfc9113.html#name-starting-http-2-with-prior-\n  * "
                    + "'kubernetes.io/ws'  - WebSocket over cleartext as described in "
                    + "https://www.rfc-editor.org/rfc/rfc6455\n  * 'kubernetes.io/wss' - WebSocket over TLS as "
                    + "described in https://www.rfc-editor.org/rfc/rfc6455\n\n* Other protocols should use "
                    + "implementation-defined prefixed names such as mycompany.com/my-custom-protocol.")),
            p("name", str("The name of this port within the service. This must be a DNS_LABEL. All ports within a "
                    + "ServiceSpec must have unique names. When considering the endpoints for a Service, this must "
                    + "match the 'name' field in the EndpointPort. Optional if only one ServicePort is defined on "
                    + "this service.")),
            p("nodePort", int32("The port on each node on which this service is exposed when type is NodePort or "
                    + "LoadBalancer.  Usually assigned by the system. If a value is specified, in-range, and not in "
                    + "use it will be used, otherwise the operation will fail.  If not specified, a port will be "
                    + "allocated if this Service requires one.  If this field is specified when creating a Service "
                    + "which does not need it, creation will fail. This field will be wiped when updating a Service "
                    + "to no longer need it (e.g. changing type from NodePort to ClusterIP). More info: "
                    + "https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport")),
            p("port", int32("The port that will be exposed by this service.")),
            p("protocol", str("The IP protocol for this port. Supports \"TCP\", \"UDP\", and \"SCTP\". Default is "
                    + "TCP.", "SCTP", "TCP", "UDP").withDefault(Dsl.text("TCP"))),
            p("targetPort", ref(INT_OR_STRING, "Number or name of the port to access on the pods targeted by the "
                    + "service. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME. If this is a "
                    + "string, it will be looked up as a named port in the target Pod's container ports. If this is "
                    + "not specified, the value of the 'port' field is used (an identity map). This field is ignored "
                    + "for services with clusterIP=None, and should be omitted or set equal to the 'port' field. "
                    + "More info: https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service")))
            .withRequired("port");

    static final Node CLIENT_IP_CONFIG = def(CORE + "ClientIPConfig",
            "ClientIPConfig represents the configurations of Client IP based session affinity.",
            p("timeoutSeconds", int32("timeoutSeconds specifies the seconds of ClientIP type session sticky time. "
                    + "The value must be >0 && <=86400(for 1 day) if ServiceAffinity == \"ClientIP\". Default value "
                    + "is 10800(for 3 hours).")));

    static final Node SESSION_AFFINITY_CONFIG = def(CORE + "SessionAffinityConfig",
            "SessionAffinityConfig represents the configurations of session affinity.",
            p("clientIP", ref(CLIENT_IP_CONFIG, "clientIP contains the configurations of Client IP based session "
                    + "affinity.")));

    static final Node SERVICE_SPEC = def(CORE + "ServiceSpec",
            "ServiceSpec describes the attributes that a user creates on a service.",
            p("allocateLoadBalancerNodePorts", bool("allocateLoadBalancerNodePorts defines if NodePorts will be "
                    + "automatically allocated for services with type LoadBalancer.  Default is \"true\". It may be "
                    + "set to \"false\" if the cluster load-balancer does not rely on NodePorts.  If the caller "
                    + "requests specific NodePorts (by specifying a value), those requests will be respected, "
                    + "regardless of this field. This field may only be set for services with type LoadBalancer and "
                    + "will be cleared if the type is changed to any other type.")),
            p("clusterIP", str("clusterIP is the IP address of the service and is usually assigned randomly. If an "
                    + "address is specified manually, is in-range (as per system configuration), and is not in "
                    + "use, it will be allocated to the service; otherwise creation of the service will fail. This "
                    + "field may not be changed through updates unless the type field is also being changed to "
                    + "ExternalName (which requires this field to be blank) or the type field is being changed from "
                    + "ExternalName (in which case this field may optionally be specified, as describe above).  "
                    + "Valid values are \"None\", empty string (\"\"), or a valid IP address. Setting this to \"None\" "
                    + "makes a \"headless service\" (no virtual IP), which is useful when direct endpoint "
                    + "connections are preferred and proxying is not required.  Only applies to types ClusterIP, "
                    + "NodePort, and LoadBalancer. If this field is specified when creating a Service of type "
                    + "ExternalName, creation will fail. This field will be wiped when updating a Service to type "
                    + "ExternalName. More info: "
                    + "https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies")),
            p("clusterIPs", strList("ClusterIPs is a list of IP addresses assigned to this service, and are usually "
                    + "assigned randomly.  If an address is specified manually, is in-range (as per system "
                    + "configuration), and is not in use, it will be allocated to the service; otherwise creation "
                    + "of the service will fail. This field may not be changed through updates unless the type field "
                    + "is also being changed to ExternalName (which requires this field to be empty) or the type "
                    + "field is being changed from ExternalName (in which case this field may optionally be "
                    + "specified, as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP "
                    + "address.  Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is "
                    + "useful when direct endpoint connections are preferred and proxying is not required.  Only "
                    + "applies to types ClusterIP, NodePort, and LoadBalancer. If this field is not specified, it "
                    + "will be initialized from the clusterIP field.  If this field is specified, clients must "
                    + "ensure that clusterIPs[0] and clusterIP have the same value.\n\nThis field may hold a maximum "
                    + "of two entries (dual-stack IPs, in either order). These IPs must correspond to the values of "
                    + "the ipFamilies field. Both clusterIPs and ipFamilies are governed by the ipFamilyPolicy "
                    + "field. More info: "
                    + "https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies")),
            p("externalIPs", strList("externalIPs is a list of IP addresses for which nodes in the cluster will also "
                    + "accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is "
                    + "responsible for ensuring that traffic arrives at a node with this IP.  A common example is "
                    + "external load-balancers that are not part of the Kubernetes system.")),
            p("externalName", str("externalName is the external reference that discovery mechanisms will return as "
                    + "an alias for this service (e.g. a DNS CNAME record). No proxying will be involved.  Must be a "
                    + "lowercase RFC-1123 hostname (https://tools.ietf.org/html/rfc1123) and requires `type` to be "
                    + "\"ExternalName\".")),
            p("externalTrafficPolicy", str("externalTrafficPolicy describes how nodes distribute service traffic "
                    + "they receive on one of the Service's \"externally-facing\" addresses (NodePorts, ExternalIPs, "
                    + "and LoadBalancer IPs). If set to \"Local\", the proxy will configure the service in a way that "
                    + "assumes that external load balancers will take care of balancing the service traffic between "
                    + "nodes, and so each node will deliver traffic only to the node-local endpoints of the service, "
                    + "without masquerading the client source IP. (Traffic mistakenly sent to a node with no "
                    + "endpoints will be dropped.) The default value, \"Cluster\", uses the standard behavior of "
                    + "routing to all endpoints evenly (possibly modified by topology and other features). Note that "
                    + "traffic sent to an External IP or LoadBalancer IP from within the cluster will always get "
                    + "\"Cluster\" semantics, but clients sending to a NodePort from within the cluster may need to "
                    + "take traffic policy into account when picking a node.", "Cluster", "Local")),
            p("healthCheckNodePort", int32("healthCheckNodePort specifies the healthcheck nodePort for the service. "
                    + "This only applies when type is set to LoadBalancer and externalTrafficPolicy is set to Local. "
                    + "If a value is specified, is in-range, and is not in use, it will be used.  If not specified, "
                    + "a value will be automatically allocated.  External systems (e.g. load-balancers) can use this "
                    + "port to determine if a given node holds endpoints for this service or not.  If this field is "
                    + "specified when creating a Service which does not need it, creation will fail. This field will "
                    + "be wiped when updating a Service to no longer need it (e.g. changing type). This field cannot "
                    + "be updated once set.")),
            p("internalTrafficPolicy", str("InternalTrafficPolicy describes how nodes distribute service traffic "
                    + "they receive on the ClusterIP. If set to \"Local\", the proxy will assume that pods only want "
                    + "to talk to endpoints of the service on the same node as the pod, dropping the traffic if "
                    + "there are no local endpoints. The default value, \"Cluster\", uses the standard behavior of "
                    + "routing to all endpoints evenly (possibly modified by topology and other features).",
                    "Cluster", "Local")),
            p("ipFamilies", list("IPFamilies is a list of IP families (e.g. IPv4, IPv6) assigned to this service. "
                    + "This field is usually assigned automatically based on cluster configuration and the "
                    + "ipFamilyPolicy field. If this field is specified manually, the requested family is available "
                    + "in the cluster, and ipFamilyPolicy allows it, it will be used; otherwise creation of the "
                    + "service will fail. This field is conditionally mutable: it allows for adding or removing a "
                    + "secondary IP family, but it does not allow changing the primary IP family of the Service. "
                    + "Valid values are \"IPv4\" and \"IPv6\".  This field only applies to Services of types "
                    + "ClusterIP, NodePort, and LoadBalancer, and does apply to \"headless\" services. This field "
                    + "will be wiped when updating a Service to type ExternalName.\n\nThis field may hold a maximum "
                    + "of two entries (dual-stack families, in either order).  These families must correspond to "
                    + "the values of the clusterIPs field, if specified. Both clusterIPs and ipFamilies are governed "
                    + "by the ipFamilyPolicy field.", str("", "IPv4", "IPv6"))),
            p("ipFamilyPolicy", str("IPFamilyPolicy represents the dual-stack-ness requested or required by this "
                    + "Service. If there is no value provided, then this field will be set to SingleStack. Services "
                    + "can be \"SingleStack\" (a single IP family), \"PreferDualStack\" (two IP families on "
                    + "dual-stack configured clusters or a single IP family on single-stack clusters), or "
                    + "\"RequireDualStack\" (two IP families on dual-stack configured clusters, otherwise fail). The "
                    + "ipFamilies and clusterIPs fields depend on the value of this field. This field will be wiped "
                    + "when updating a service to type ExternalName.",
                    "PreferDualStack", "RequireDualStack", "SingleStack")),
            p("loadBalancerClass", str("loadBalancerClass is the class of the load balancer implementation this "
                    + "Service belongs to. If specified, the value of this field must be a label-style identifier, "
                    + "with an optional prefix, e.g. \"internal-vip\" or \"example.com/internal-vip\". Unprefixed "
                    + "names are reserved for end-users. This field can only be set when the Service type is "
                    + "'LoadBalancer'. If not set, the default load balancer implementation is used, today this is "
                    + "typically done through the cloud provider integration, but should apply for any default "
                    + "implementation. If set, it is assumed that a load balancer implementation is watching for "
                    + "Services with a matching class. Any default load balancer implementation (e.g. cloud "
                    + "providers) should ignore Services that set this field. This field can only be set when "
                    + "creating or updating a Service to type 'LoadBalancer'. Once set, it can not be changed. This "
                    + "field will be wiped when a service is updated to a non 'LoadBalancer' type.")),
            p("loadBalancerIP", str("Only applies to Service Type: LoadBalancer. This feature depends on whether "
                    + "the underlying cloud-provider supports specifying the loadBalancerIP when a load balancer is "
                    + "created. This field will be ignored if the cloud-provider does not support the feature. "
                    + "Deprecated: This field was under-specified and its meaning varies across implementations. "
                    + "Using it is non-portable and it may not support dual-stack. Users are encouraged to use "
                    + "implementation-specific annotations when available.")),
            p("loadBalancerSourceRanges", strList("If specified and supported by the platform, this will restrict "
                    + "traffic through the cloud-provider load-balancer will be restricted to the specified client "
                    + "IPs. This field will be ignored if the cloud-provider does not support the feature.\" More "
                    + "info: https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/")),
            p("ports", mergeList("The list of ports that are exposed by this service. More info: "
                    + "https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies",
                    SERVICE_PORT, "port", "port", "protocol")),
            p("publishNotReadyAddresses", bool("publishNotReadyAddresses indicates that any agent which deals with "
                    + "endpoints for this Service should disregard any indications of ready/not-ready. The primary "
                    + "use case for setting this field is for a StatefulSet's Headless Service to propagate SRV DNS "
                    + "records for its Pods for the purpose of peer discovery. The Kubernetes controllers that "
                    + "generate Endpoints and EndpointSlice resources for Services interpret this to mean that all "
                    + "endpoints are considered \"ready\" even if the Pods themselves are not. Agents which consume "
                    + "only Kubernetes generated endpoints through the Endpoints or EndpointSlice resources can "
                    + "safely assume this behavior.")),
            p("selector", strMap("Route service traffic to pods with label keys and values matching this selector. "
                    + "If empty or not present, the service is assumed to have an external process managing its "
                    + "endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and "
                    + "LoadBalancer. Ignored if type is ExternalName. More info: "
                    + "https://kubernetes.io/docs/concepts/services-networking/service/")),
            p("sessionAffinity", str("Supports \"ClientIP\" and \"None\". Used to maintain session affinity. Enable "
                    + "client IP based session affinity. Must be ClientIP or None. Defaults to None. More info: "
                    + "https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies",
                    "ClientIP", "None")),
            p("sessionAffinityConfig", ref(SESSION_AFFINITY_CONFIG, "sessionAffinityConfig contains the "
                    + "configurations of session affinity.")),
            p("trafficDistribution", str("TrafficDistribution offers a way to express preferences for how traffic "
                    + "is distributed to Service endpoints. Implementations can use this field as a hint, but are "
                    + "not required to guarantee strict adherence. If the field is not set, the implementation will "
                    + "apply its default routing strategy. If set to \"PreferClose\", implementations should "
                    + "prioritize endpoints that are topologically close (e.g., same zone). This is a beta field and "
                    + "requires enabling ServiceTrafficDistribution feature.")),
            p("type", str("type determines how the Service is exposed. Defaults to ClusterIP. Valid options are "
                    + "ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a cluster-internal "
                    + "IP address for load-balancing to endpoints. Endpoints are determined by the selector or if "
                    + "that is not specified, by manual construction of an Endpoints object or EndpointSlice "
                    + "objects. If clusterIP is \"None\", no virtual IP is allocated and the endpoints are published "
                    + "as a set of endpoints rather than a virtual IP. \"NodePort\" builds on ClusterIP and allocates "
                    + "a port on every node which routes to the same endpoints as the clusterIP. \"LoadBalancer\" "
                    + "builds on NodePort and creates an external load-balancer (if supported in the current cloud) "
                    + "which routes to the same endpoints as the clusterIP. \"ExternalName\" aliases this service to "
                    + "the specified externalName. Several other fields do not apply to ExternalName services. More "
                    + "info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types",
                    "ClusterIP", "ExternalName", "LoadBalancer", "NodePort")));

    static final Node PORT_STATUS = def(CORE + "PortStatus",
            "PortStatus represents the error condition of a service port",
            p("error", str("Error is to record the problem with the service port The format of the error shall "
                    + "comply with the following rules: - built-in error values shall be specified in this file and "
                    + "those shall use\n  CamelCase names\n- cloud provider specific error values must have names "
                    + "that comply with the\n  format foo.example.com/CamelCase.")),
            p("port", int32("Port is the port number of the service port of which status is recorded here")),
            p("protocol", str("Protocol is the protocol of the service port of which status is recorded here The "
                    + "supported values are: \"TCP\", \"UDP\", \"SCTP\"", "SCTP", "TCP", "UDP")))
            .withRequired("port", "protocol");

    static final Node LOAD_BALANCER_INGRESS = def(CORE + "LoadBalancerIngress",
            "LoadBalancerIngress represents the status of a load-balancer ingress point: traffic intended for the "
                    + "service should be sent to an ingress point.",
            p("hostname", str("Hostname is set for load-balancer ingress points that are DNS based (typically AWS "
                    + "load-balancers)")),
            p("ip", str("IP is set for load-balancer ingress points that are IP based (typically GCE or OpenStack "
                    + "load-balancers)")),
            p("ipMode", str("IPMode specifies how the load-balancer IP behaves, and may only be specified when the "
                    + "ip field is specified. Setting this to \"VIP\" indicates that traffic is delivered to the node "
                    + "with the destination set to the load-balancer's IP and port. Setting this to \"Proxy\" "
                    + "indicates that traffic is delivered to the node or pod with the destination set to the node's "
                    + "IP and node port or the pod's IP and port. Service implementations may use this information "
                    + "to adjust traffic routing.")),
            p("ports", list("Ports is a list of records of service ports If used, every port defined in the service "
                    + "should have an entry in it", PORT_STATUS)));

    static final Node LOAD_BALANCER_STATUS = def(CORE + "LoadBalancerStatus",
            "LoadBalancerStatus represents the status of a load-balancer.",
            p("ingress", list("Ingress is a list containing ingress points for the load-balancer. Traffic intended "
                    + "for the service should be sent to these ingress points.", LOAD_BALANCER_INGRESS)));

    static final Node SERVICE_STATUS = def(CORE + "ServiceStatus",
            "ServiceStatus represents the current status of a service.",
            p("conditions", mergeList("Current service state", MetaDefs.CONDITION, "type", "type")),
            p("loadBalancer", ref(LOAD_BALANCER_STATUS, "LoadBalancer contains the current status of the "
                    + "load-balancer, if one is present.").withDefault(Dsl.emptyObject())));

    static final Node SERVICE = Kinds.object(CORE + "Service",
            "Service is a named abstraction of software service (for example, mysql) consisting of local port (for "
                    + "example 3306) that the proxy listens on, and the selector that determines which pods will "
                    + "answer requests sent through the proxy.",
            ref(SERVICE_SPEC, "Spec defines the behavior of a service. " + SPEC_DOC).withDefault(Dsl.emptyObject()),
            ref(SERVICE_STATUS, "Most recently observed status of the service. Populated by the system. Read-only. "
                    + "More info: " + SPEC_DOC).withDefault(Dsl.emptyObject()));

    // ---- Endpoints -------------------------------------------------------------------------------

    static final Node ENDPOINT_ADDRESS = def(CORE + "EndpointAddress",
            "EndpointAddress is a tuple that describes single IP address.",
            p("hostname", str("The Hostname of this endpoint")),
            p("ip", str("The IP of this endpoint. May not be loopback (127.0.0.0/8 or ::1), link-local "
                    + "(169.254.0.0/16 or fe80::/10), or link-local multicast (224.0.0.0/24 or ff02::/16).")),
            p("nodeName", str("Optional: Node hosting this endpoint. This can be used to determine endpoints local "
                    + "to a node.")),
            p("targetRef", ref(OBJECT_REFERENCE, "Reference to object providing the endpoint.")))
            .withRequired("ip");

    static final Node CORE_ENDPOINT_PORT = def(CORE + "EndpointPort",
            "EndpointPort is a tuple that describes a single port.",
            p("appProtocol", str("The application protocol for this port. This is used as a hint for "
                    + "implementations to offer richer behavior for protocols that they understand. This field "
                    + "follows standard Kubernetes label syntax.")),
            p("name", str("The name of this port.  This must match the 'name' field in the corresponding "
                    + "ServicePort. Must be a DNS_LABEL. Optional only if one port is defined.")),
            p("port", int32("The port number of the endpoint.")),
            p("protocol", str("The IP protocol for this port. Must be UDP, TCP, or SCTP. Default is TCP.",
                    "SCTP", "TCP", "UDP")))
            .withRequired("port");

    static final Node ENDPOINT_SUBSET = def(CORE + "EndpointSubset",
            "EndpointSubset is a group of addresses with a common set of ports. The expanded set of endpoints is "
                    + "the Cartesian product of Addresses x Ports. For example, given:\n\n\t{\n\t  Addresses: "
                    + "[{\"ip\": \"10.10.1.1\"}, {\"ip\": \"10.10.2.2\"}],\n\t  Ports:     [{\"name\": \"a\", "
                    + "\"port\": 8675}, {\"name\": \"b\", \"port\": 309}]\n\t}\n\nThe resulting set of endpoints can "
                    + "be viewed as:\n\n\ta: [ 10.10.1.1:8675, 10.10.2.2:8675 ],\n\tb: [ 10.10.1.1:309, "
                    + "10.10.2.2:309 ]",
            p("addresses", list("IP addresses which offer the related ports that are marked as ready. These "
                    + "endpoints should be considered safe for load balancers and clients to utilize.",
                    ENDPOINT_ADDRESS)),
            p("notReadyAddresses", list("IP addresses which offer the related ports but are not currently marked "
                    + "as ready because they have not yet finished starting, have recently failed a readiness check, "
                    + "or have recently failed a liveness check.", ENDPOINT_ADDRESS)),
            p("ports", list("Port numbers available on the related IP addresses.", CORE_ENDPOINT_PORT)));

    static final Node ENDPOINTS = Kinds.of(CORE + "Endpoints",
            "Endpoints is a collection of endpoints that implement the actual service. Example:\n\n\t Name: "
                    + "\"mysvc\",\n\t Subsets: [\n\t   {\n\t     Addresses: [{\"ip\": \"10.10.1.1\"}, {\"ip\": "
                    + "\"10.10.2.2\"}],\n\t     Ports: [{\"name\": \"a\", \"port\": 8675}, {\"name\": \"b\", "
                    + "\"port\": 309}]\n\t   },\n\t   {\n\t     Addresses: [{\"ip\": \"10.10.3.3\"}],\n\t     Ports: "
                    + "[{\"name\": \"a\", \"port\": 93}, {\"name\": \"b\", \"port\": 76}]\n\t   },\n\t]",
            p("subsets", list("The set of all endpoints is the union of all subsets. Addresses are placed into "
                    + "subsets according to the IPs they share. A single address with multiple ports, some of which "
                    + "are ready and some of which are not (because they come from different containers) will result "
                    + "in the address being displayed in different subsets for the different ports. No address will "
                    + "appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports "
                    + "that comprise a service.", ENDPOINT_SUBSET)));

    // ---- Node ------------------------------------------------------------------------------------

    static final Node TAINT = def(CORE + "Taint",
            "The node this Taint is attached to has the \"effect\" on any pod that does not tolerate the Taint.",
            p("effect", str("Required. The effect of the taint on pods that do not tolerate the taint. Valid "
                    + "effects are NoSchedule, PreferNoSchedule and NoExecute.",
                    "NoExecute", "NoSchedule", "PreferNoSchedule")),
            p("key", str("Required. The taint key to be applied to a node.")),
            p("timeAdded", ref(TIME, "TimeAdded represents the time at which the taint was added.")),
            p("value", str("The taint value corresponding to the taint key.")))
            .withRequired("key", "effect");

    static final Node NODE_SPEC = def(CORE + "NodeSpec",
            "NodeSpec describes the attributes that a node is created with.",
            p("configSource", any("Deprecated: Previously used to specify the source of the node's configuration "
                    + "for the DynamicKubeletConfig feature. This feature is removed.")),
            p("externalID", str("Deprecated. Not all kubelets will set this field. Remove field after 1.13. see: "
                    + "https://issues.k8s.io/61966")),
            p("podCIDR", str("PodCIDR represents the pod IP range assigned to the node.")),
            p("podCIDRs", Dsl.plainList("podCIDRs represents the IP ranges assigned to the node for usage by Pods "
                    + "on that node. If this field is specified, the 0th entry must match the podCIDR field. It may "
                    + "contain at most 1 value for each of IPv4 and IPv6.", str(""))
                    .withPatch("merge", null).withListType("set")),
            p("providerID", str("ID of the node assigned by the cloud provider in the format: "
                    + "<ProviderName>://<ProviderSpecificNodeID>")),
            p("taints", list("If specified, the node's taints.", TAINT)),
            p("unschedulable", bool("Unschedulable controls node schedulability of new pods. By default, node is "
                    + "schedulable. More info: https://kubernetes.io/docs/concepts/nodes/node/#manual-node-administration")));

    static final Node NODE_ADDRESS = def(CORE + "NodeAddress",
            "NodeAddress contains information for the node's address.",
            p("address", str("The node address.")),
            p("type", str("Node address type, one of Hostname, ExternalIP or InternalIP.")))
            .withRequired("type", "address");

    static final Node NODE_CONDITION = def(CORE + "NodeCondition",
            "NodeCondition contains condition information for a node.",
            p("lastHeartbeatTime", ref(TIME, "Last time we got an update on a given condition.")),
            p("lastTransitionTime", ref(TIME, "Last time the condition transit from one status to another.")),
            p("message", str("Human readable message indicating details about last transition.")),
            p("reason", str("(brief) reason for the condition's last transition.")),
            p("status", str("Status of the condition, one of True, False, Unknown.")),
            p("type", str("Type of node condition.")))
            .withRequired("type", "status");

    static final Node DAEMON_ENDPOINT = def(CORE + "DaemonEndpoint",
            "DaemonEndpoint contains information about a single Daemon endpoint.",
            p("Port", int32("Port number of the given endpoint.")))
            .withRequired("Port");

    static final Node NODE_DAEMON_ENDPOINTS = def(CORE + "NodeDaemonEndpoints",
            "NodeDaemonEndpoints lists ports opened by daemons running on the Node.",
            p("kubeletEndpoint", ref(DAEMON_ENDPOINT, "Endpoint on which Kubelet is listening.")
                    .withDefault(Dsl.emptyObject())));

    static final Node NODE_SYSTEM_INFO = def(CORE + "NodeSystemInfo",
            "NodeSystemInfo is a set of ids/uuids to uniquely identify the node.",
            p("architecture", str("The Architecture reported by the node")),
            p("bootID", str("Boot ID reported by the node.")),
            p("containerRuntimeVersion", str("ContainerRuntime Version reported by the node through runtime "
                    + "remote API (e.g. containerd://1.4.2).")),
            p("kernelVersion", str("Kernel Version reported by the node from 'uname -r' (e.g. "
                    + "3.16.0-0.bpo.4-amd64).")),
            p("kubeProxyVersion", str("Deprecated: KubeProxy Version reported by the node.")),
            p("kubeletVersion", str("Kubelet Version reported by the node.")),
            p("machineID", str("MachineID reported by the node. For unique machine identification in the cluster "
                    + "this field is preferred. Learn more from man(5) machine-id: "
                    + "http://man7.org/linux/man-pages/man5/machine-id.5.html")),
            p("operatingSystem", str("The Operating System reported by the node")),
            p("osImage", str("OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 "
                    + "(wheezy)).")),
            p("swap", any("Swap Info reported by the node.")),
            p("systemUUID", str("SystemUUID reported by the node. For unique machine identification MachineID is "
                    + "preferred.")))
            .withRequired("machineID", "systemUUID", "bootID", "kernelVersion", "osImage",
                    "containerRuntimeVersion", "kubeletVersion", "kubeProxyVersion", "operatingSystem",
                    "architecture");

    static final Node CONTAINER_IMAGE = def(CORE + "ContainerImage",
            "Describe a container image",
            p("names", strList("Names by which this image is known. e.g. [\"kubernetes.example/hyperkube:v1.0.7\", "
                    + "\"cloud-vendor.registry.example/cloud-vendor/hyperkube:v1.0.7\"]")),
            p("sizeBytes", int64("The size of the image in bytes.")));

    static final Node NODE_STATUS = def(CORE + "NodeStatus",
            "NodeStatus is information about the current status of a node.",
            p("addresses", mergeList("List of addresses reachable to the node. Queried from cloud provider, if "
                    + "available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses",
                    NODE_ADDRESS, "type", "type")),
            p("allocatable", map("Allocatable represents the resources of a node that are available for "
                    + "scheduling. Defaults to Capacity.", QUANTITY)),
            p("capacity", map("Capacity represents the total resources of a node. More info: "
                    + "https://kubernetes.io/docs/reference/node/node-status/#capacity", QUANTITY)),
            p("conditions", mergeList("Conditions is an array of current observed node conditions. More info: "
                    + "https://kubernetes.io/docs/reference/node/node-status/#condition", NODE_CONDITION, "type",
                    "type")),
            p("config", any("Status of the config assigned to the node via the dynamic Kubelet config feature.")),
            p("daemonEndpoints", ref(NODE_DAEMON_ENDPOINTS, "Endpoints of daemons running on the Node.")
                    .withDefault(Dsl.emptyObject())),
            p("features", any("Features describes the set of features implemented by the CRI implementation.")),
            p("images", list("List of container images on this node", CONTAINER_IMAGE)),
            p("nodeInfo", ref(NODE_SYSTEM_INFO, "Set of ids/uuids to uniquely identify the node. More info: "
                    + "https://kubernetes.io/docs/reference/node/node-status/#info").withDefault(Dsl.emptyObject())),
            p("phase", str("NodePhase is the recently observed lifecycle phase of the node. More info: "
                    + "https://kubernetes.io/docs/concepts/nodes/node/#phase The field is never populated, and now "
                    + "is deprecated.", "Pending", "Running", "Terminated")),
            p("runtimeHandlers", list("The available runtime handlers.", any("NodeRuntimeHandler is a set of "
                    + "runtime handler information."))),
            p("volumesAttached", list("List of volumes that are attached to the node.", any("AttachedVolume "
                    + "describes a volume attached to a node"))),
            p("volumesInUse", strList("List of attachable volumes in use (mounted) by the node.")));

    static final Node NODE = Kinds.object(CORE + "Node",
            "Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in "
                    + "etcd).",
            ref(NODE_SPEC, "Spec defines the behavior of a node. " + SPEC_DOC).withDefault(Dsl.emptyObject()),
            ref(NODE_STATUS, "Most recently observed status of the node. Populated by the system. Read-only. More "
                    + "info: " + SPEC_DOC).withDefault(Dsl.emptyObject()));

    // ---- Secret, ConfigMap, ServiceAccount ---------------------------------------------------------

    static final Node SECRET = Kinds.of(CORE + "Secret",
            "Secret holds secret data of a certain type. The total bytes of the values in the Data field must be "
                    + "less than MaxSecretSize bytes.",
            p("data", map("Data contains the secret data. Each key must consist of alphanumeric characters, '-', "
                    + "'_' or '.'. The serialized form of the secret data is a base64 encoded string, representing "
                    + "the arbitrary (possibly non-string) data value here. Described in "
                    + "https://tools.ietf.org/html/rfc4648#section-4", bytes(""))),
            p("immutable", bool("Immutable, if set to true, ensures that data stored in the Secret cannot be "
                    + "updated (only object metadata can be modified). If not set to true, the field can be modified "
                    + "at any time. Defaulted to nil.")),
            p("stringData", strMap("stringData allows specifying non-binary secret data in string form. It is "
                    + "provided as a write-only input field for convenience. All keys and values are merged into "
                    + "the data field on write, overwriting any existing values. The stringData field is never "
                    + "output when reading from the API.")),
            p("type", str("Used to facilitate programmatic handling of secret data. More info: "
                    + "https://kubernetes.io/docs/concepts/configuration/secret/#secret-types")));

    static final Node CONFIG_MAP = Kinds.of(CORE + "ConfigMap",
            "ConfigMap holds configuration data for pods to consume.",
            p("binaryData", map("BinaryData contains the binary data. Each key must consist of alphanumeric "
                    + "characters, '-', '_' or '.'. BinaryData can contain byte sequences that are not in the UTF-8 "
                    + "range. The keys stored in BinaryData must not overlap with the ones in the Data field, this is "
                    + "enforced during validation process. Using this field will require 1.10+ apiserver and "
                    + "kubelet.", bytes(""))),
            p("data", strMap("Data contains the configuration data. Each key must consist of alphanumeric "
                    + "characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData "
                    + "field. The keys stored in Data must not overlap with the keys in the BinaryData field, this "
                    + "is enforced during validation process.")),
            p("immutable", bool("Immutable, if set to true, ensures that data stored in the ConfigMap cannot be "
                    + "updated (only object metadata can be modified). If not set to true, the field can be modified "
                    + "at any time. Defaulted to nil.")));

    static final Node SERVICE_ACCOUNT = Kinds.of(CORE + "ServiceAccount",
            "ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for "
                    + "an identity * a principal that can be authenticated and authorized * a set of secrets",
            p("automountServiceAccountToken", bool("AutomountServiceAccountToken indicates whether pods running as "
                    + "this service account should have an API token automatically mounted. Can be overridden at "
                    + "the pod level.")),
            p("imagePullSecrets", list("ImagePullSecrets is a list of references to secrets in the same namespace "
                    + "to use for pulling any images in pods that reference this ServiceAccount. ImagePullSecrets "
                    + "are distinct from Secrets because Secrets can be mounted in the pod, but ImagePullSecrets are "
                    + "only accessed by the kubelet. More info: "
                    + "https://kubernetes.io/docs/concepts/containers/images/#specifying-imagepullsecrets-on-a-pod",
                    PodDefs.LOCAL_OBJECT_REFERENCE)),
            p("secrets", mergeList("Secrets is a list of the secrets in the same namespace that pods running using "
                    + "this ServiceAccount are allowed to use. Pods are only limited to this list if this service "
                    + "account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The "
                    + "\"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer "
                    + "separate namespaces to isolate access to mounted secrets. This field should not be used to "
                    + "find auto-generated service account token secrets for use outside of pods. More info: "
                    + "https://kubernetes.io/docs/concepts/configuration/secret", OBJECT_REFERENCE, "name", "name")));

    // ---- Event -----------------------------------------------------------------------------------

    static final Node EVENT_SERIES = def(CORE + "EventSeries",
            "EventSeries contain information on series of events, i.e. thing that was/is happening continuously "
                    + "for some time.",
            p("count", int32("Number of occurrences in this series up to the last heartbeat time")),
            p("lastObservedTime", ref(MICRO_TIME, "Time of the last occurrence observed")));

    static final Node EVENT_SOURCE = def(CORE + "EventSource",
            "EventSource contains information for an event.",
            p("component", str("Component from which the event is generated.")),
            p("host", str("Node name on which the event is generated.")));

    static final Node EVENT = def(CORE + "Event",
            "Event is a report of an event somewhere in the cluster.  Events have a limited retention time and "
                    + "triggers and messages may evolve with time.  Event consumers should not rely on the timing of "
                    + "an event with a given Reason reflecting a consistent underlying trigger, or the continued "
                    + "existence of events with that Reason.  Events should be treated as informative, best-effort, "
                    + "supplemental data.",
            p("action", str("What action was taken/failed regarding to the Regarding object.")),
            p("apiVersion", Dsl.apiVersionField()),
            p("count", int32("The number of times this event has occurred.")),
            p("eventTime", ref(MICRO_TIME, "Time when this Event was first observed.")),
            p("firstTimestamp", ref(TIME, "The time at which the event was first recorded. (Time of server receipt "
                    + "is in TypeMeta.)")),
            p("involvedObject", ref(OBJECT_REFERENCE, "The object that this event is about.")
                    .withDefault(Dsl.emptyObject())),
            p("kind", Dsl.kindField()),
            p("lastTimestamp", ref(TIME, "The time at which the most recent occurrence of this event was "
                    + "recorded.")),
            p("message", str("A human-readable description of the status of this operation.")),
            p("metadata", MetaDefs.objectMetaField()),
            p("reason", str("This should be a short, machine understandable string that gives the reason for the "
                    + "transition into the object's current status.")),
            p("related", ref(OBJECT_REFERENCE, "Optional secondary object for more complex actions.")),
            p("reportingComponent", str("Name of the controller that emitted this Event, e.g. "
                    + "`kubernetes.io/kubelet`.").withDefault(Dsl.text(""))),
            p("reportingInstance", str("ID of the controller instance, e.g. `kubelet-xyzf`.")
                    .withDefault(Dsl.text(""))),
            p("series", ref(EVENT_SERIES, "Data about the Event series this event represents or nil if it's a "
                    + "singleton Event.")),
            p("source", ref(EVENT_SOURCE, "The component reporting this event. Should be a short machine "
                    + "understandable string.").withDefault(Dsl.emptyObject())),
            p("type", str("Type of this event (Normal, Warning), new types could be added in the future")))
            .withRequired("metadata", "involvedObject");
}
