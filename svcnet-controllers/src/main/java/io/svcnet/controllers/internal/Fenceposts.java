package io.svcnet.controllers.internal;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;

/**
 * A rolling update's resolved {@code maxSurge} and {@code maxUnavailable} (upstream's {@code ResolveFenceposts}):
 * percentages of the desired replicas, surge rounded up and unavailable rounded down; both zero would stall, so
 * unavailable becomes 1. For Recreate both are 0.
 */
public record Fenceposts(int maxSurge, int maxUnavailable) {

    public static Fenceposts of(Deployment d) {
        int replicas = replicas(d);
        if (!isRollingUpdate(d)) {
            return new Fenceposts(0, 0);
        }
        RollingUpdateDeployment ru = d.getSpec().getStrategy().getRollingUpdate();
        IntOrString surge = ru == null || ru.getMaxSurge() == null ? new IntOrString("25%") : ru.getMaxSurge();
        IntOrString unavailable = ru == null || ru.getMaxUnavailable() == null ? new IntOrString("25%") : ru.getMaxUnavailable();
        int s = scaled(surge, replicas, true, "maxSurge");
        int u = scaled(unavailable, replicas, false, "maxUnavailable");
        if (s == 0 && u == 0) {
            u = 1;
        }
        return new Fenceposts(s, u);
    }

    /** {@code deploymentutil.MaxUnavailable}: capped at the replicas, 0 for Recreate or no replicas. */
    public static int maxUnavailable(Deployment d) {
        int replicas = replicas(d);
        if (!isRollingUpdate(d) || replicas == 0) {
            return 0;
        }
        return Math.min(of(d).maxUnavailable(), replicas);
    }

    public static boolean isRollingUpdate(Deployment d) {
        return d.getSpec().getStrategy() == null || d.getSpec().getStrategy().getType() == null
                || "RollingUpdate".equals(d.getSpec().getStrategy().getType());
    }

    public static int replicas(Deployment d) {
        return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    }

    /** {@code intstr.GetScaledValueFromIntOrPercent}. */
    static int scaled(IntOrString v, int total, boolean roundUp, String field) {
        if (v.getIntVal() != null) {
            return v.getIntVal();
        }
        String s = v.getStrVal();
        if (s == null || !s.endsWith("%")) {
            throw new IllegalArgumentException(field + ": invalid value for IntOrString: invalid type: string is not a percentage: " + s);
        }
        int pct;
        try {
            pct = Integer.parseInt(s.substring(0, s.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + ": invalid value for IntOrString: " + s, e);
        }
        long num = (long) pct * total;
        return (int) (roundUp ? -Math.floorDiv(-num, 100L) : Math.floorDiv(num, 100L));
    }
}
