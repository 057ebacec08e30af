package io.svcnet.dns.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP listener of the cluster DNS metrics, as CoreDNS's {@code prometheus} plugin serves them: {@code /metrics}
 * answers {@link DnsMetrics#scrape()} in the Prometheus text format (any method, as promhttp); every other path is
 * 404 with Go's {@code "404 page not found"}.
 *
 * <p>Threading: the JDK's HTTP server with one daemon thread of its own ({@code svcnet-dns-metrics}), so a scrape
 * never runs on (or waits for) a DNS event loop. {@link #close} stops it and waits for that thread.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private final HttpServer http;
    private final ExecutorService executor;

    private MetricsEndpoint(HttpServer http, ExecutorService executor) {
        this.http = http;
        this.executor = executor;
    }

    /**
     * Binds {@code address} and starts serving.
     *
     * @throws IOException when the address cannot be bound (the port is busy, say)
     */
    public static MetricsEndpoint start(InetSocketAddress address, DnsMetrics metrics) throws IOException {
        HttpServer http = HttpServer.create(address, 16);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "svcnet-dns-metrics");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        http.createContext("/", exchange -> serve(exchange, metrics));
        http.start();
        return new MetricsEndpoint(http, executor);
    }

    private static void serve(HttpExchange exchange, DnsMetrics metrics) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            if (!path.equals("/metrics")) {
                reply(exchange, 404, "text/plain; charset=utf-8", "404 page not found\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            reply(exchange, 200, DnsMetrics.contentType(), metrics.scrape());
        }
    }

    private static void reply(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
