package io.svcnet.agent.internal;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.svcnet.agent.internal.ImageCatalog.Kind;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The HTTP behaviour of the built-in images (see {@link ImageCatalog}): each is a pure function from a request and
 * the addresses of its connection to a response, so it can be tested without sockets.
 */
public final class BuiltinHttpApps {

    /** A response to write: status, content type, body, and the Server header the real image sends. */
    public record Reply(HttpResponseStatus status, String contentType, byte[] body, String server) {
        static Reply text(HttpResponseStatus status, String contentType, String body, String server) {
            return new Reply(status, contentType, body.getBytes(StandardCharsets.UTF_8), server);
        }
    }

    /** One app bound to one pod. */
    @FunctionalInterface
    public interface App {
        Reply handle(FullHttpRequest request, InetSocketAddress remote, InetSocketAddress local);
    }

    private static final String NGINX_404 = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body bgcolor=\"white\">\r\n"
            + "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

    private BuiltinHttpApps() {}

    /** The app for {@code kind} serving pod {@code podName}; null for kinds without HTTP. */
    public static App forKind(Kind kind, String version, String podName, String namespace) {
        return switch (kind) {
            case MYAPP -> myapp(version, podName);
            case ECHO -> (req, remote, local) -> echo(req, remote, local, podName, namespace);
            case DEFAULT_BACKEND -> (req, remote, local) -> path(req).equals("/healthz")
                    ? Reply.text(HttpResponseStatus.OK, "text/plain; charset=utf-8", "ok", "")
                    : Reply.text(HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8", "default backend - 404", "");
            case NGINX -> (req, remote, local) -> path(req).equals("/") || path(req).equals("/index.html")
                    ? Reply.text(HttpResponseStatus.OK, "text/html", nginxWelcome(podName), "nginx/" + version)
                    : Reply.text(HttpResponseStatus.NOT_FOUND, "text/html", NGINX_404, "nginx/" + version);
            case HTTPD -> (req, remote, local) -> path(req).equals("/") || path(req).equals("/index.html")
                    ? Reply.text(HttpResponseStatus.OK, "text/html", "<html><body><h1>It works!</h1>\n<p>" + podName + "</p></body></html>\n", "Apache/2.4")
                    : Reply.text(HttpResponseStatus.NOT_FOUND, "text/html", "<html><body><h1>Not Found</h1></body></html>\n", "Apache/2.4");
            case TOMCAT -> (req, remote, local) -> path(req).equals("/")
                    ? Reply.text(HttpResponseStatus.OK, "text/html;charset=UTF-8", "<!DOCTYPE html>\n<html><head><title>Apache Tomcat/" + tomcatVersion(version)
                            + "</title></head><body><h1>Apache Tomcat/" + tomcatVersion(version) + "</h1><p>If you're seeing this, you've successfully installed Tomcat. "
                            + "Congratulations!</p><p>" + podName + "</p></body></html>\n", "")
                    : Reply.text(HttpResponseStatus.NOT_FOUND, "text/html;charset=UTF-8", "<h1>HTTP Status 404 – Not Found</h1>\n", "");
            case REDIS, SHELL -> null;
        };
    }

    private static App myapp(String version, String podName) {
        String server = "nginx/1.12.2";
        return (req, remote, local) -> switch (path(req)) {
            case "/", "/index.html" -> Reply.text(HttpResponseStatus.OK, "text/html",
                    "Hello MyApp | Version: " + version + " | <a href=\"hostname.html\">Pod Name</a>\n", server);
            case "/hostname.html" -> Reply.text(HttpResponseStatus.OK, "text/html", podName + "\n", server);
            default -> Reply.text(HttpResponseStatus.NOT_FOUND, "text/html", NGINX_404, server);
        };
    }

    private static Reply echo(FullHttpRequest req, InetSocketAddress remote, InetSocketAddress local, String podName, String namespace) {
        StringBuilder b = new StringBuilder();
        b.append("\n\nHostname: ").append(podName).append("\n\n");
        b.append("Pod Information:\n\tpod name:\t").append(podName).append("\n\tnamespace:\t").append(namespace).append("\n\tpod IP:\t")
                .append(local.getAddress().getHostAddress()).append("\n\n");
        b.append("Server values:\n\tserver_version=svcnet-echo/0.1.0\n\n");
        b.append("Request Information:\n");
        b.append("\tclient_address=").append(remote.getAddress().getHostAddress()).append('\n');
        b.append("\tclient_port=").append(remote.getPort()).append('\n');
        b.append("\tserver_address=").append(local.getAddress().getHostAddress()).append(':').append(local.getPort()).append('\n');
        b.append("\tmethod=").append(req.method().name()).append('\n');
        String uri = req.uri();
        int q = uri.indexOf('?');
        b.append("\treal path=").append(q < 0 ? uri : uri.substring(0, q)).append('\n');
        b.append("\tquery=").append(q < 0 ? "" : uri.substring(q + 1)).append('\n');
        b.append("\trequest_version=").append(req.protocolVersion().majorVersion()).append('.').append(req.protocolVersion().minorVersion()).append('\n');
        b.append("\trequest_uri=http://").append(req.headers().get("Host", local.getAddress().getHostAddress() + ":" + local.getPort()))
                .append(uri).append("\n\n");
        b.append("Request Headers:\n");
        for (Map.Entry<String, String> h : req.headers()) {
            b.append('\t').append(h.getKey().toLowerCase(java.util.Locale.ROOT)).append('=').append(h.getValue()).append('\n');
        }
        b.append("\nRequest Body:\n");
        if (req.content().isReadable()) {
            b.append(req.content().toString(StandardCharsets.UTF_8)).append('\n');
        } else {
            b.append("\t-no body in request-\n");
        }
        return Reply.text(HttpResponseStatus.OK, "text/plain", b.toString(), "svcnet-echo");
    }

    /** nginx's stock index.html, line for line (tutorials show its head), plus one line naming the pod. */
    private static String nginxWelcome(String podName) {
        return "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n<style>\n    body {\n        width: 35em;\n"
                + "        margin: 0 auto;\n        font-family: Tahoma, Verdana, Arial, sans-serif;\n    }\n</style>\n</head>\n<body>\n"
                + "<h1>Welcome to nginx!</h1>\n"
                + "<p>If you see this page, the nginx web server is successfully installed and\nworking. Further configuration is required.</p>\n\n"
                + "<p>For online documentation and support please refer to\n<a href=\"http://nginx.org/\">nginx.org</a>.<br/>\n"
                + "Commercial support is available at\n<a href=\"http://nginx.com/\">nginx.com</a>.</p>\n\n"
                + "<p>Served by pod <b>" + podName + "</b> (svcnet built-in nginx).</p>\n\n"
                + "<p><em>Thank you for using nginx.</em></p>\n</body>\n</html>\n";
    }

    /** Tomcat's own version from an image tag: {@code 8.5.34-jre8-alpine} reports itself as {@code 8.5.34}. */
    static String tomcatVersion(String tag) {
        int dash = tag.indexOf('-');
        return dash > 0 && Character.isDigit(tag.charAt(0)) ? tag.substring(0, dash) : tag;
    }

    static String path(FullHttpRequest req) {
        String uri = req.uri();
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }
}
