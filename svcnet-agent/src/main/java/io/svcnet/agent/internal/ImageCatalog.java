package io.svcnet.agent.internal;

import java.util.Locale;
import java.util.Optional;

/**
 * What svcnet does with a container image it cannot pull: images of the seed tutorials map to servers built into
 * svcnet; base OS images mean "run the command on the node". Matching is on the repository's last path segment
 * (registry and namespace ignored), the tag picks a version where it matters.
 *
 * <pre>
 * image (last segment)                         → behaviour                         ports (plus every declared TCP containerPort)
 * myapp (ikubernetes/myapp:v1|v2)              → MYAPP   "Hello MyApp | Version: vN"  80 when none declared
 * echoserver, echo-server, echo, http-echo     → ECHO    HTTP/TCP/UDP echo           8080
 * defaultbackend*, default-http-backend        → DEFAULT_BACKEND 404 on /, 200 /healthz 8080
 * nginx                                         → NGINX   welcome page + pod name     80
 * httpd                                         → HTTPD   "It works!" + pod name      80
 * tomcat                                        → TOMCAT  welcome page + pod name     8080
 * redis                                         → REDIS   RESP PING/ECHO/SET/GET      6379
 * busybox, cirros, alpine, ubuntu, debian, centos, fedora → SHELL  runs command, else args, else sh
 * </pre>
 * A SHELL container is a local process (stdin kept open with {@code stdin: true}, on a pseudo-terminal with
 * {@code tty: true}); when the node has {@code busybox}, a directory of its applets comes first on PATH
 * for busybox, cirros and alpine ({@link BusyboxApplets}), so {@code sh}, {@code wget}, {@code nslookup} behave as in
 * the image; the others use the node's tools. In those busybox images an absolute {@code /bin/sh}, {@code /bin/ash}
 * (any {@code /bin}, {@code /usr/bin}, … applet path) is the busybox applet too, and a container with {@code stdin}
 * (kubectl run -it) and interactive execs start in {@code /} as in the image (shell prompt {@code / # }).
 * A REDIS container's execs find {@code redis-cli} on PATH ({@link RedisCli}, or the node's own redis-cli).
 * Every container process has the pod's hostname and hosts file ({@link PodNamespaces}).
 */
public final class ImageCatalog {

    /** The built-in behaviours. */
    public enum Kind { MYAPP, ECHO, DEFAULT_BACKEND, NGINX, HTTPD, TOMCAT, REDIS, SHELL }

    /**
     * @param kind    the behaviour
     * @param version what the image reports as its version (myapp: "v1"/"v2"; others the tag)
     */
    public record Builtin(Kind kind, String version) {
        public boolean serves() {
            return kind != Kind.SHELL;
        }
    }

    private ImageCatalog() {}

    public static Optional<Builtin> resolve(String image) {
        if (image == null || image.isBlank()) {
            return Optional.empty();
        }
        String ref = image.toLowerCase(Locale.ROOT);
        int at = ref.indexOf('@');
        if (at >= 0) {
            ref = ref.substring(0, at);
        }
        String name = ref.substring(ref.lastIndexOf('/') + 1);
        String tag = "latest";
        int colon = name.indexOf(':');
        if (colon >= 0) {
            tag = name.substring(colon + 1);
            name = name.substring(0, colon);
        }
        Kind kind = switch (name) {
            case "myapp" -> Kind.MYAPP;
            case "echoserver", "echo-server", "echo", "http-echo", "agnhost-echo" -> Kind.ECHO;
            case "defaultbackend", "defaultbackend-amd64", "defaultbackend-arm64", "default-http-backend", "default-backend" -> Kind.DEFAULT_BACKEND;
            case "nginx", "nginx-unprivileged" -> Kind.NGINX;
            case "httpd" -> Kind.HTTPD;
            case "tomcat" -> Kind.TOMCAT;
            case "redis" -> Kind.REDIS;
            case "busybox", "cirros", "alpine", "ubuntu", "debian", "centos", "fedora", "rockylinux", "almalinux" -> Kind.SHELL;
            default -> null;
        };
        if (kind == null) {
            return Optional.empty();
        }
        String version = kind == Kind.MYAPP ? (tag.matches("v\\d+") ? tag : "v1") : tag;
        return Optional.of(new Builtin(kind, version));
    }

    /** Whether {@code image} is one whose userland is busybox (busybox, cirros, alpine): its shell tools are busybox applets. */
    public static boolean busyboxUserland(String image) {
        if (image == null || image.isBlank()) {
            return false;
        }
        String ref = image.toLowerCase(Locale.ROOT);
        int at = ref.indexOf('@');
        String name = (at >= 0 ? ref.substring(0, at) : ref);
        name = name.substring(name.lastIndexOf('/') + 1);
        int colon = name.indexOf(':');
        name = colon >= 0 ? name.substring(0, colon) : name;
        return name.equals("busybox") || name.equals("cirros") || name.equals("alpine");
    }

    /** The port the real image listens on by default. */
    public static int defaultPort(Kind kind) {
        return switch (kind) {
            case MYAPP, NGINX, HTTPD -> 80;
            case ECHO, DEFAULT_BACKEND, TOMCAT -> 8080;
            case REDIS -> 6379;
            case SHELL -> -1;
        };
    }
}
