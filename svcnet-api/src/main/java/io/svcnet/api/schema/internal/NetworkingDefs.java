package io.svcnet.api.schema.internal;

import static io.svcnet.api.schema.internal.Dsl.bool;
import static io.svcnet.api.schema.internal.Dsl.def;
import static io.svcnet.api.schema.internal.Dsl.int32;
import static io.svcnet.api.schema.internal.Dsl.list;
import static io.svcnet.api.schema.internal.Dsl.p;
import static io.svcnet.api.schema.internal.Dsl.ref;
import static io.svcnet.api.schema.internal.Dsl.str;
import static io.svcnet.api.schema.internal.Dsl.strList;
import static io.svcnet.api.schema.internal.Dsl.strMap;

/**
 * networking.k8s.io/v1 Ingress and IngressClass, and discovery.k8s.io/v1 EndpointSlice, after
 * k8s.io/api v0.32. These types declare no patch strategies: their lists are replaced atomically.
 */
final class NetworkingDefs {

    private NetworkingDefs() {}

    static final String NET = "io.k8s.api.networking.v1.";
    static final String DISCOVERY = "io.k8s.api.discovery.v1.";

    // ---- Ingress ---------------------------------------------------------------------------------

    static final Node SERVICE_BACKEND_PORT = def(NET + "ServiceBackendPort",
            "ServiceBackendPort is the service port being referenced.",
            p("name", str("name is the name of the port on the Service. This is a mutually exclusive setting with "
                    + "\"Number\".")),
            p("number", int32("number is the numerical port number (e.g. 80) on the Service. This is a mutually "
                    + "exclusive setting with \"Name\".")));

    static final Node INGRESS_SERVICE_BACKEND = def(NET + "IngressServiceBackend",
            "IngressServiceBackend references a Kubernetes Service as a Backend.",
            p("name", str("name is the referenced service. The service must exist in the same namespace as the "
                    + "Ingress object.")),
            p("port", ref(SERVICE_BACKEND_PORT, "port of the referenced service. A port name or port number is "
                    + "required for a IngressServiceBackend.")))
            .withRequired("name");

    static final Node TYPED_LOCAL_OBJECT_REFERENCE = def("io.k8s.api.core.v1.TypedLocalObjectReference",
            "TypedLocalObjectReference contains enough information to let you locate the typed referenced object "
                    + "inside the same namespace.",
            p("apiGroup", str("APIGroup is the group for the resource being referenced. If APIGroup is not "
                    + "specified, the specified Kind must be in the core API group. For any other third-party types, "
                    + "APIGroup is required.")),
            p("kind", str("Kind is the type of resource being referenced")),
            p("name", str("Name is the name of resource being referenced")))
            .withRequired("kind", "name");

    static final Node INGRESS_BACKEND = def(NET + "IngressBackend",
            "IngressBackend describes all endpoints for a given service and port.",
            p("resource", ref(TYPED_LOCAL_OBJECT_REFERENCE, "resource is an ObjectRef to another Kubernetes resource "
                    + "in the namespace of the Ingress object. If resource is specified, a service.Name and "
                    + "service.Port must not be specified. This is a mutually exclusive setting with \"Service\".")),
            p("service", ref(INGRESS_SERVICE_BACKEND, "service references a service as a backend. This is a "
                    + "mutually exclusive setting with \"Resource\".")));

    static final Node HTTP_INGRESS_PATH = def(NET + "HTTPIngressPath",
            "HTTPIngressPath associates a path with a backend. Incoming urls matching the path are forwarded to the "
                    + "backend.",
            p("backend", ref(INGRESS_BACKEND, "backend defines the referenced service endpoint to which the traffic "
                    + "will be forwarded to.").withDefault(Dsl.emptyObject())),
            p("path", str("path is matched against the path of an incoming request. Currently it can contain "
                    + "characters disallowed from the conventional \"path\" part of a URL as defined by RFC 3986. "
                    + "Paths must begin with a '/' and must be present when using PathType with value \"Exact\" or "
                    + "\"Prefix\".")),
            p("pathType", str("pathType determines the interpretation of the path matching. PathType can be one of "
                    + "the following values: * Exact: Matches the URL path exactly. * Prefix: Matches based on a URL "
                    + "path prefix split by '/'. Matching is\n  done on a path element by element basis. A path "
                    + "element refers is the\n  list of labels in the path split by the '/' separator. A request is "
                    + "a\n  match for path p if every p is an element-wise prefix of p of the\n  request path. Note "
                    + "that if the last element of the path is a substring\n  of the last element in request path, "
                    + "it is not a match (e.g. /foo/bar\n  matches /foo/bar/baz, but does not match /foo/barbaz).\n* "
                    + "ImplementationSpecific: Interpretation of the Path matching is up to\n  the IngressClass. "
                    + "Implementations can treat this as a separate PathType\n  or treat it identically to Prefix or "
                    + "Exact path types.\nImplementations are required to support all path types.",
                    "Exact", "ImplementationSpecific", "Prefix")))
            .withRequired("pathType", "backend");

    static final Node HTTP_INGRESS_RULE_VALUE = def(NET + "HTTPIngressRuleValue",
            "HTTPIngressRuleValue is a list of http selectors pointing to backends. In the example: "
                    + "http://<host>/<path>?<searchpart> -> backend where where parts of the url correspond to RFC "
                    + "3986, this resource will be used to match against everything after the last '/' and before "
                    + "the first '?' or '#'.",
            p("paths", list("paths is a collection of paths that map requests to backends.", HTTP_INGRESS_PATH)))
            .withRequired("paths");

    static final Node INGRESS_RULE = def(NET + "IngressRule",
            "IngressRule represents the rules mapping the paths under a specified host to the related backend "
                    + "services. Incoming requests are first evaluated for a host match, then routed to the backend "
                    + "associated with the matching IngressRuleValue.",
            p("host", str("host is the fully qualified domain name of a network host, as defined by RFC 3986. Note "
                    + "the following deviations from the \"host\" part of the URI as defined in RFC 3986: 1. IPs are "
                    + "not allowed. Currently an IngressRuleValue can only apply to\n   the IP in the Spec of the "
                    + "parent Ingress.\n2. The `:` delimiter is not respected because ports are not allowed.\n\t  "
                    + "Currently the port of an Ingress is implicitly :80 for http and\n\t  :443 for https.\nBoth "
                    + "these may change in the future. Incoming requests are matched against the host before the "
                    + "IngressRuleValue. If the host is unspecified, the Ingress routes all traffic based on the "
                    + "specified IngressRuleValue.\n\nhost can be \"precise\" which is a domain name without the "
                    + "terminating dot of a network host (e.g. \"foo.bar.com\") or \"wildcard\", which is a domain "
                    + "name prefixed with a single wildcard label (e.g. \"*.foo.com\").")),
            p("http", ref(HTTP_INGRESS_RULE_VALUE, "")));

    static final Node INGRESS_TLS = def(NET + "IngressTLS",
            "IngressTLS describes the transport layer security associated with an ingress.",
            p("hosts", strList("hosts is a list of hosts included in the TLS certificate. The values in this list "
                    + "must match the name/s used in the tlsSecret. Defaults to the wildcard host setting for the "
                    + "loadbalancer controller fulfilling this Ingress, if left unspecified.")),
            p("secretName", str("secretName is the name of the secret used to terminate TLS traffic on port 443. "
                    + "Field is left optional to allow TLS routing based on SNI hostname alone. If the SNI host in a "
                    + "listener conflicts with the \"Host\" header field used by an IngressRule, the SNI host is "
                    + "used for termination and value of the \"Host\" header is used for routing.")));

    static final Node INGRESS_SPEC = def(NET + "IngressSpec",
            "IngressSpec describes the Ingress the user wishes to exist.",
            p("defaultBackend", ref(INGRESS_BACKEND, "defaultBackend is the backend that should handle requests "
                    + "that don't match any rule. If Rules are not specified, DefaultBackend must be specified. If "
                    + "DefaultBackend is not set, the handling of requests that do not match any of the rules will "
                    + "be up to the Ingress controller.")),
            p("ingressClassName", str("ingressClassName is the name of an IngressClass cluster resource. Ingress "
                    + "controller implementations use this field to know whether they should be serving this "
                    + "Ingress resource, by a transitive connection (controller -> IngressClass -> Ingress "
                    + "resource). Although the `kubernetes.io/ingress.class` annotation (simple constant name) was "
                    + "never formally defined, it was widely supported by Ingress controllers to create a direct "
                    + "binding between Ingress controller and Ingress resources. Newly created Ingress resources "
                    + "should prefer using the field. However, even though the annotation is officially deprecated, "
                    + "for backwards compatibility reasons, ingress controllers should still honor that annotation "
                    + "if present.")),
            p("rules", list("rules is a list of host rules used to configure the Ingress. If unspecified, or no "
                    + "rule matches, all traffic is sent to the default backend.", INGRESS_RULE)),
            p("tls", list("tls represents the TLS configuration. Currently the Ingress only supports a single TLS "
                    + "port, 443. If multiple members of this list specify different hosts, they will be multiplexed "
                    + "on the same port according to the hostname specified through the SNI TLS extension, if the "
                    + "ingress controller fulfilling the ingress supports SNI.", INGRESS_TLS)));

    static final Node INGRESS_PORT_STATUS = def(NET + "IngressPortStatus",
            "IngressPortStatus represents the error condition of a service port",
            p("error", str("error is to record the problem with the service port The format of the error shall "
                    + "comply with the following rules: - built-in error values shall be specified in this file and "
                    + "those shall use\n  CamelCase names\n- cloud provider specific error values must have names "
                    + "that comply with the\n  format foo.example.com/CamelCase.")),
            p("port", int32("port is the port number of the ingress port.")),
            p("protocol", str("protocol is the protocol of the ingress port. The supported values are: \"TCP\", "
                    + "\"UDP\", \"SCTP\"", "SCTP", "TCP", "UDP")))
            .withRequired("port", "protocol");

    static final Node INGRESS_LOAD_BALANCER_INGRESS = def(NET + "IngressLoadBalancerIngress",
            "IngressLoadBalancerIngress represents the status of a load-balancer ingress point.",
            p("hostname", str("hostname is set for load-balancer ingress points that are DNS based.")),
            p("ip", str("ip is set for load-balancer ingress points that are IP based.")),
            p("ports", list("ports provides information about the ports exposed by this LoadBalancer.",
                    INGRESS_PORT_STATUS)));

    static final Node INGRESS_LOAD_BALANCER_STATUS = def(NET + "IngressLoadBalancerStatus",
            "IngressLoadBalancerStatus represents the status of a load-balancer.",
            p("ingress", list("ingress is a list containing ingress points for the load-balancer.",
                    INGRESS_LOAD_BALANCER_INGRESS)));

    static final Node INGRESS = Kinds.object(NET + "Ingress",
            "Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a "
                    + "backend. An Ingress can be configured to give services externally-reachable urls, load "
                    + "balance traffic, terminate SSL, offer name based virtual hosting etc.",
            ref(INGRESS_SPEC, "spec is the desired state of the Ingress. More info: "
                    + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status")
                    .withDefault(Dsl.emptyObject()),
            ref(def(NET + "IngressStatus", "IngressStatus describe the current state of the Ingress.",
                    p("loadBalancer", ref(INGRESS_LOAD_BALANCER_STATUS, "loadBalancer contains the current status "
                            + "of the load-balancer.").withDefault(Dsl.emptyObject()))),
                    "status is the current state of the Ingress. More info: "
                            + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status")
                    .withDefault(Dsl.emptyObject()));

    static final Node INGRESS_CLASS_PARAMETERS_REFERENCE = def(NET + "IngressClassParametersReference",
            "IngressClassParametersReference identifies an API object. This can be used to specify a "
                    + "cluster or namespace-scoped resource.",
            p("apiGroup", str("apiGroup is the group for the resource being referenced. If APIGroup is not "
                    + "specified, the specified Kind must be in the core API group. For any other third-party types, "
                    + "APIGroup is required.")),
            p("kind", str("kind is the type of resource being referenced.")),
            p("name", str("name is the name of resource being referenced.")),
            p("namespace", str("namespace is the namespace of the resource being referenced. This field is "
                    + "required when scope is set to \"Namespace\" and must be unset when scope is set to "
                    + "\"Cluster\".")),
            p("scope", str("scope represents if this refers to a cluster or namespace scoped resource. This may be "
                    + "set to \"Cluster\" (default) or \"Namespace\".")))
            .withRequired("kind", "name");

    static final Node INGRESS_CLASS = Kinds.of(NET + "IngressClass",
            "IngressClass represents the class of the Ingress, referenced by the Ingress Spec. The "
                    + "`ingressclass.kubernetes.io/is-default-class` annotation can be used to indicate that an "
                    + "IngressClass should be considered default. When a single IngressClass resource has this "
                    + "annotation set to true, new Ingress resources without a class specified will be assigned this "
                    + "default class.",
            p("spec", ref(def(NET + "IngressClassSpec", "IngressClassSpec provides information about the class of "
                            + "an Ingress.",
                    p("controller", str("controller refers to the name of the controller that should handle this "
                            + "class. This allows for different \"flavors\" that are controlled by the same "
                            + "controller. For example, you may have different parameters for the same implementing "
                            + "controller. This should be specified as a domain-prefixed path no more than 250 "
                            + "characters in length, e.g. \"acme.io/ingress-controller\". This field is immutable.")),
                    p("parameters", ref(INGRESS_CLASS_PARAMETERS_REFERENCE, "parameters is a link to a custom "
                            + "resource containing additional configuration for the controller. This is optional if "
                            + "the controller does not require extra parameters."))),
                    "spec is the desired state of the IngressClass. More info: "
                            + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status")
                    .withDefault(Dsl.emptyObject())));

    // ---- EndpointSlice ---------------------------------------------------------------------------

    static final Node ENDPOINT_CONDITIONS = def(DISCOVERY + "EndpointConditions",
            "EndpointConditions represents the current condition of an endpoint.",
            p("ready", bool("ready indicates that this endpoint is prepared to receive traffic, according to "
                    + "whatever system is managing the endpoint. A nil value indicates an unknown state. In most "
                    + "cases consumers should interpret this unknown state as ready. For compatibility reasons, "
                    + "ready should never be \"true\" for terminating endpoints, except when the normal readiness "
                    + "behavior is being explicitly overridden, for example when the associated Service has set the "
                    + "publishNotReadyAddresses flag.")),
            p("serving", bool("serving is identical to ready except that it is set regardless of the terminating "
                    + "state of endpoints. This condition should be set to true for a ready endpoint that is "
                    + "terminating. If nil, consumers should defer to the ready condition.")),
            p("terminating", bool("terminating indicates that this endpoint is terminating. A nil value indicates "
                    + "an unknown state. Consumers should interpret this unknown state to mean that the endpoint is "
                    + "not terminating.")));

    static final Node FOR_ZONE = def(DISCOVERY + "ForZone",
            "ForZone provides information about which zones should consume this endpoint.",
            p("name", str("name represents the name of the zone.")))
            .withRequired("name");

    static final Node ENDPOINT_HINTS = def(DISCOVERY + "EndpointHints",
            "EndpointHints provides hints describing how an endpoint should be consumed.",
            p("forZones", list("forZones indicates the zone(s) this endpoint should be consumed by to enable "
                    + "topology aware routing.", FOR_ZONE)));

    static final Node ENDPOINT = def(DISCOVERY + "Endpoint",
            "Endpoint represents a single logical \"backend\" implementing a service.",
            p("addresses", Dsl.plainList("addresses of this endpoint. The contents of this field are interpreted "
                    + "according to the corresponding EndpointSlice addressType field. Consumers must handle "
                    + "different types of addresses in the context of their own capabilities. This must contain at "
                    + "least one address but no more than 100. These are all assumed to be fungible and clients may "
                    + "choose to only use the first element. Refer to: https://issue.k8s.io/106267", str(""))
                    .withListType("set")),
            p("conditions", ref(ENDPOINT_CONDITIONS, "conditions contains information about the current status of "
                    + "the endpoint.").withDefault(Dsl.emptyObject())),
            p("deprecatedTopology", strMap("deprecatedTopology contains topology information part of the v1beta1 "
                    + "API. This field is deprecated, and will be removed when the v1beta1 API is removed (no "
                    + "sooner than kubernetes v1.24).  While this field can hold values, it is not writable through "
                    + "the v1 API, and any attempts to write to it will be silently ignored. Topology information "
                    + "can be found in the zone and nodeName fields instead.")),
            p("hints", ref(ENDPOINT_HINTS, "hints contains information associated with how an endpoint should be "
                    + "consumed.")),
            p("hostname", str("hostname of this endpoint. This field may be used by consumers of endpoints to "
                    + "distinguish endpoints from each other (e.g. in DNS names). Multiple endpoints which use the "
                    + "same hostname should be considered fungible (e.g. multiple A values in DNS). Must be "
                    + "lowercase and pass DNS Label (RFC 1123) validation.")),
            p("nodeName", str("nodeName represents the name of the Node hosting this endpoint. This can be used to "
                    + "determine endpoints local to a Node.")),
            p("targetRef", ref(CoreDefs.OBJECT_REFERENCE, "targetRef is a reference to a Kubernetes object that "
                    + "represents this endpoint.")),
            p("zone", str("zone is the name of the Zone this endpoint exists in.")))
            .withRequired("addresses");

    static final Node DISCOVERY_ENDPOINT_PORT = def(DISCOVERY + "EndpointPort",
            "EndpointPort represents a Port used by an EndpointSlice",
            p("appProtocol", str("The application protocol for this port. This is used as a hint for "
                    + "implementations to offer richer behavior for protocols that they understand. This field "
                    + "follows standard Kubernetes label syntax.")),
            p("name", str("name represents the name of this port. All ports in an EndpointSlice must have a unique "
                    + "name. If the EndpointSlice is derived from a Kubernetes service, this corresponds to the "
                    + "Service.ports[].name. Name must either be an empty string or pass DNS_LABEL validation: * must "
                    + "be no more than 63 characters long. * must consist of lower case alphanumeric characters or "
                    + "'-'. * must start and end with an alphanumeric character. Default is empty string.")),
            p("port", int32("port represents the port number of the endpoint. If this is not specified, ports are "
                    + "not restricted and must be interpreted in the context of the specific consumer.")),
            p("protocol", str("protocol represents the IP protocol for this port. Must be UDP, TCP, or SCTP. "
                    + "Default is TCP.", "SCTP", "TCP", "UDP")));

    static final Node ENDPOINT_SLICE = Kinds.of(DISCOVERY + "EndpointSlice",
            "EndpointSlice represents a subset of the endpoints that implement a service. For a given service "
                    + "there may be multiple EndpointSlice objects, selected by labels, which must be joined to "
                    + "produce the full set of endpoints.",
            p("addressType", str("addressType specifies the type of address carried by this EndpointSlice. All "
                    + "addresses in this slice must be the same type. This field is immutable after creation. The "
                    + "following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: "
                    + "Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.",
                    "FQDN", "IPv4", "IPv6")),
            p("endpoints", list("endpoints is a list of unique endpoints in this slice. Each slice may include a "
                    + "maximum of 1000 endpoints.", ENDPOINT)),
            p("ports", list("ports specifies the list of network ports exposed by each endpoint in this slice. Each "
                    + "port must have a unique name. When ports is empty, it indicates that there are no defined "
                    + "ports. When a port is defined with a nil port value, it indicates \"all ports\". Each slice "
                    + "may include a maximum of 100 ports.", DISCOVERY_ENDPOINT_PORT)))
            .withRequired("addressType", "endpoints");
}
