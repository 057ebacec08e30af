package io.svcnet.agent.internal;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's environment as the kubelet builds it (pkg/kubelet/kubelet_pods.go {@code makeEnvironmentVariables}):
 * envFrom first, then {@code env} in order, where a value's {@code $(VAR)} refers to a variable defined earlier
 * ({@code $$} escapes, unknown references stay as written) and {@code valueFrom} reads the downward API
 * ({@code fieldRef}), ConfigMaps and Secrets. {@code command} and {@code args} get the same expansion. The local
 * process also sees PATH/HOME/LANG from the agent, HOSTNAME (the pod name) and POD_IP.
 *
 * <p>Threading: stateless apart from the client; reads ConfigMaps/Secrets with blocking calls.
 */
public final class ContainerEnvironment {

    private ContainerEnvironment() {}

    /** The resolved variables, in definition order. @throws IllegalStateException naming the reference that failed */
    public static Map<String, String> resolve(KubernetesClient client, Pod pod, Container c, String podIp, String hostIp) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String inherited : List.of("PATH", "HOME", "LANG", "TZ")) {
            String v = System.getenv(inherited);
            if (v != null) {
                env.put(inherited, v);
            }
        }
        if (!env.containsKey("PATH")) {
            env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        }
        env.put("HOSTNAME", pod.getMetadata().getName());
        env.put("POD_IP", podIp);
        String ns = pod.getMetadata().getNamespace();
        for (EnvFromSource from : c.getEnvFrom()) {
            String prefix = from.getPrefix() == null ? "" : from.getPrefix();
            if (from.getConfigMapRef() != null) {
                ConfigMap cm = client.configMaps().inNamespace(ns).withName(from.getConfigMapRef().getName()).get();
                if (cm == null) {
                    if (!Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
                        throw new IllegalStateException("configmap \"" + from.getConfigMapRef().getName() + "\" not found");
                    }
                } else if (cm.getData() != null) {
                    cm.getData().forEach((k, v) -> env.put(prefix + k, v));
                }
            }
            if (from.getSecretRef() != null) {
                Secret s = client.secrets().inNamespace(ns).withName(from.getSecretRef().getName()).get();
                if (s == null) {
                    if (!Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
                        throw new IllegalStateException("secret \"" + from.getSecretRef().getName() + "\" not found");
                    }
                } else if (s.getData() != null) {
                    s.getData().forEach((k, v) -> env.put(prefix + k, decode(v)));
                }
            }
        }
        for (EnvVar var : c.getEnv()) {
            String value;
            if (var.getValueFrom() != null) {
                value = valueFrom(client, pod, var, podIp, hostIp);
                if (value == null) {
                    continue;
                }
            } else {
                value = expand(var.getValue() == null ? "" : var.getValue(), env);
            }
            env.put(var.getName(), value);
        }
        return env;
    }

    /** {@code command} + {@code args} with {@code $(VAR)} expanded; empty when the container has neither. */
    public static List<String> commandLine(List<String> command, List<String> args, Map<String, String> env) {
        List<String> out = new ArrayList<>();
        for (String s : command) {
            out.add(expand(s, env));
        }
        for (String s : args) {
            out.add(expand(s, env));
        }
        return out;
    }

    /** Kubernetes' {@code $(VAR)} expansion (third_party/forked/golang/expansion). */
    public static String expand(String input, Map<String, String> env) {
        StringBuilder out = new StringBuilder(input.length());
        int i = 0;
        while (i < input.length()) {
            char ch = input.charAt(i);
            if (ch == '$' && i + 1 < input.length()) {
                char next = input.charAt(i + 1);
                if (next == '$') {
                    out.append('$');
                    i += 2;
                    continue;
                }
                if (next == '(') {
                    int close = input.indexOf(')', i + 2);
                    if (close > 0) {
                        String name = input.substring(i + 2, close);
                        String v = env.get(name);
                        if (v != null) {
                            out.append(v);
                        } else {
                            out.append(input, i, close + 1); // unresolved references stay as written
                        }
                        i = close + 1;
                        continue;
                    }
                }
            }
            out.append(ch);
            i++;
        }
        return out.toString();
    }

    private static String valueFrom(KubernetesClient client, Pod pod, EnvVar var, String podIp, String hostIp) {
        EnvVarSource src = var.getValueFrom();
        String ns = pod.getMetadata().getNamespace();
        if (src.getFieldRef() != null) {
            String path = src.getFieldRef().getFieldPath();
            return switch (path) {
                case "metadata.name" -> pod.getMetadata().getName();
                case "metadata.namespace" -> ns;
                case "metadata.uid" -> pod.getMetadata().getUid();
                case "spec.nodeName" -> pod.getSpec().getNodeName();
                case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName() == null ? "default" : pod.getSpec().getServiceAccountName();
                case "status.podIP", "status.podIPs" -> podIp;
                case "status.hostIP", "status.hostIPs" -> hostIp;
                default -> mapField(pod, path, var.getName());
            };
        }
        if (src.getConfigMapKeyRef() != null) {
            var ref = src.getConfigMapKeyRef();
            ConfigMap cm = client.configMaps().inNamespace(ns).withName(ref.getName()).get();
            String v = cm == null || cm.getData() == null ? null : cm.getData().get(ref.getKey());
            if (v == null && !Boolean.TRUE.equals(ref.getOptional())) {
                throw new IllegalStateException(cm == null ? "configmap \"" + ref.getName() + "\" not found"
                        : "couldn't find key " + ref.getKey() + " in ConfigMap " + ns + "/" + ref.getName());
            }
            return v;
        }
        if (src.getSecretKeyRef() != null) {
            var ref = src.getSecretKeyRef();
            Secret s = client.secrets().inNamespace(ns).withName(ref.getName()).get();
            String v = s == null || s.getData() == null ? null : s.getData().get(ref.getKey());
            if (v == null && !Boolean.TRUE.equals(ref.getOptional())) {
                throw new IllegalStateException(s == null ? "secret \"" + ref.getName() + "\" not found"
                        : "couldn't find key " + ref.getKey() + " in Secret " + ns + "/" + ref.getName());
            }
            return v == null ? null : decode(v);
        }
        throw new IllegalStateException("env " + var.getName() + ": valueFrom " + src + " is not supported by svcnet");
    }

    private static String mapField(Pod pod, String path, String var) {
        for (String kind : List.of("labels", "annotations")) {
            String prefix = "metadata." + kind + "['";
            if (path.startsWith(prefix) && path.endsWith("']")) {
                String key = path.substring(prefix.length(), path.length() - 2);
                Map<String, String> m = kind.equals("labels") ? pod.getMetadata().getLabels() : pod.getMetadata().getAnnotations();
                return m == null ? "" : m.getOrDefault(key, "");
            }
        }
        throw new IllegalStateException("env " + var + ": fieldRef " + path + " is not supported");
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
