package io.svcnet.api.schema.internal;

import static io.svcnet.api.schema.internal.Dsl.def;
import static io.svcnet.api.schema.internal.Dsl.int32;
import static io.svcnet.api.schema.internal.Dsl.p;
import static io.svcnet.api.schema.internal.Dsl.ref;
import static io.svcnet.api.schema.internal.Dsl.str;
import static io.svcnet.api.schema.internal.MetaDefs.MICRO_TIME;

/**
 * coordination.k8s.io/v1 Lease, after k8s.io/api v0.32: the object node agents renew as their heartbeat
 * (KEP-589, kube-node-lease) and leader elections hold. {@code strategy} and {@code preferredHolder} belong
 * to the alpha CoordinatedLeaderElection feature; they are described, as in 1.32's OpenAPI, but the
 * apiserver drops them on write as kube-apiserver does with the feature gate off.
 */
final class CoordinationDefs {

    private CoordinationDefs() {}

    static final String COORDINATION = "io.k8s.api.coordination.v1.";

    static final Node LEASE_SPEC = def(COORDINATION + "LeaseSpec",
            "LeaseSpec is a specification of a Lease.",
            p("acquireTime", ref(MICRO_TIME, "acquireTime is a time when the current lease was acquired.")),
            p("holderIdentity", str("holderIdentity contains the identity of the holder of a current lease. If "
                    + "Coordinated Leader Election is used, the holder identity must be equal to the elected "
                    + "LeaseCandidate.metadata.name field.")),
            p("leaseDurationSeconds", int32("leaseDurationSeconds is a duration that candidates for a lease need to "
                    + "wait to force acquire it. This is measured against the time of last observed renewTime.")),
            p("leaseTransitions", int32("leaseTransitions is the number of transitions of a lease between holders.")),
            p("preferredHolder", str("PreferredHolder signals to a lease holder that the lease has a more optimal "
                    + "holder and should be given up. This field can only be set if Strategy is also set.")),
            p("renewTime", ref(MICRO_TIME, "renewTime is a time when the current holder of a lease has last updated "
                    + "the lease.")),
            p("strategy", str("Strategy indicates the strategy for picking the leader for coordinated leader "
                    + "election. If the field is not specified, there is no active coordination for this lease. "
                    + "(Alpha) Using this field requires the CoordinatedLeaderElection feature gate to be enabled.")));

    static final Node LEASE = Kinds.of(COORDINATION + "Lease",
            "Lease defines a lease concept.",
            p("spec", ref(LEASE_SPEC, "spec contains the specification of the Lease. More info: "
                    + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status")));
}
