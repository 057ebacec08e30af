package io.svcnet.agent.internal;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Retries a write that failed with 409 Conflict. A PATCH without a resourceVersion precondition should never
 * conflict (kube-apiserver retries its compare-and-swap internally), but svcnet's apiserver may answer 409 when
 * another writer won the race; the patch is simply sent again.
 */
public final class Conflicts {

    private static final int ATTEMPTS = 5;

    private Conflicts() {}

    public static void retry(Runnable write) {
        for (int attempt = 1; ; attempt++) {
            try {
                write.run();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= ATTEMPTS) {
                    throw e;
                }
                try {
                    Thread.sleep(10L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
