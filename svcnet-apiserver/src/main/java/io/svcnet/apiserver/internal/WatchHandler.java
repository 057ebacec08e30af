package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.svcnet.api.json.Json;
import io.svcnet.api.printer.TablePrinter;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.store.CompactedException;
import io.svcnet.store.Store;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watch streams, with kube-apiserver's semantics (website "api-concepts", Semantics for watch):
 * <ul>
 *   <li>{@code resourceVersion} unset or "0": synthetic ADDED events for the current state, then changes;
 *       any other value: only changes after it; one already compacted: a single ERROR event carrying a 410
 *       Expired Status, then the stream ends.</li>
 *   <li>Label/field selectors filter per watcher; an object that stops matching is sent as DELETED and one that
 *       starts matching as ADDED, as the watch cache does.</li>
 *   <li>{@code allowWatchBookmarks}: periodic BOOKMARK events carrying the last revision sent.</li>
 *   <li>{@code timeoutSeconds}, else a random 30–60 minutes, ends the stream cleanly.</li>
 *   <li>Table output when asked: each event's object is a Table; only the first carries column definitions.</li>
 * </ul>
 *
 * <p>Events are written to the socket from the store's delivery thread; a client that stops reading and lets
 * more than {@link #MAX_PENDING_BYTES} pile up is disconnected (it will relist), so a slow watcher never holds
 * unbounded memory nor slows other watchers.
 */
final class WatchHandler {

    private static final Logger LOG = LoggerFactory.getLogger(WatchHandler.class);
    static final long MAX_PENDING_BYTES = 32L << 20;

    private final Registry registry;
    private final ScheduledExecutorService timer;
    private final Duration bookmarkInterval;
    private final WatchEventCache cache = new WatchEventCache();

    WatchHandler(Registry registry, ScheduledExecutorService timer, Duration bookmarkInterval) {
        this.registry = registry;
        this.timer = timer;
        this.bookmarkInterval = bookmarkInterval;
    }

    void serve(HttpExchange ex, ResourcePath rp, Negotiation neg) {
        ResourceType type = rp.type();
        Predicate<ObjectNode> selectors = ResourceHandler.filter(ex, type);
        String name = rp.name();
        Predicate<ObjectNode> filter = name == null ? selectors
                : obj -> name.equals(obj.path("metadata").path("name").asText()) && (selectors == null || selectors.test(obj));
        String rvParam = ex.param("resourceVersion");
        boolean initial = rvParam == null || rvParam.isEmpty() || rvParam.equals("0");
        boolean sendInitialEvents = ResourceHandler.isTrue(ex.param("sendInitialEvents"));
        if (sendInitialEvents) {
            initial = true;
        }
        long from = 0;
        if (!initial) {
            try {
                from = Long.parseLong(rvParam);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid resource version: " + rvParam);
            }
        }
        long timeoutSeconds = timeout(ex.param("timeoutSeconds"));
        boolean bookmarks = ResourceHandler.isTrue(ex.param("allowWatchBookmarks"));
        Stream stream = new Stream(ex, type, neg.table(), ResourceHandler.includeObject(ex), filter);
        if (!ex.startStream(neg.table() ? Negotiation.TABLE_CONTENT_TYPE : "application/json")) {
            return;
        }
        if (initial) {
            Registry.Page page = registry.list(type, rp.namespace(), filter, 0, null);
            ChannelFuture last = null;
            for (ObjectNode obj : page.items()) {
                last = stream.send("ADDED", obj);
                if (!stream.open.get()) {
                    return;
                }
            }
            from = page.revision();
            stream.lastRevision.set(from);
            if (sendInitialEvents && bookmarks) {
                stream.bookmark(from, true);
            }
            if (last != null && !HttpExchange.await(last, 30_000)) {
                stream.end();
                return;
            }
        } else {
            stream.lastRevision.set(from);
        }
        Store.Watch w;
        try {
            w = registry.store().watch(type.prefix(rp.namespace()), from, stream);
        } catch (CompactedException e) {
            ApiException gone = ApiException.expired("too old resource version: " + from + " (" + e.compacted() + ")");
            stream.writeEvent("ERROR", gone.toStatus());
            stream.end();
            return;
        }
        stream.attach(w);
        ScheduledFuture<?> timeout = timer.schedule(stream::end, timeoutSeconds, TimeUnit.SECONDS);
        ScheduledFuture<?> bookmarkTask = bookmarks
                ? timer.scheduleAtFixedRate(() -> stream.bookmark(stream.lastRevision.get(), false),
                        bookmarkInterval.toMillis(), bookmarkInterval.toMillis(), TimeUnit.MILLISECONDS)
                : null;
        ex.channel().closeFuture().addListener(f -> {
            stream.close();
            timeout.cancel(false);
            if (bookmarkTask != null) {
                bookmarkTask.cancel(false);
            }
        });
        stream.onEnd(() -> {
            timeout.cancel(false);
            if (bookmarkTask != null) {
                bookmarkTask.cancel(false);
            }
        });
    }

    private static long timeout(String s) {
        if (s != null && !s.isEmpty()) {
            try {
                long v = Long.parseLong(s);
                if (v > 0) {
                    return v;
                }
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid timeoutSeconds: " + s);
            }
        }
        return 1800 + ThreadLocalRandom.current().nextLong(1800);
    }

    /** One client's watch stream. */
    private final class Stream implements Store.WatchListener {
        private final HttpExchange ex;
        private final ResourceType type;
        private final boolean table;
        private final String includeObject;
        private final Predicate<ObjectNode> filter;
        final AtomicBoolean open = new AtomicBoolean(true);
        final AtomicLong lastRevision = new AtomicLong();
        private volatile Store.Watch watch;
        private volatile Runnable onEnd;
        private boolean headersSent;

        Stream(HttpExchange ex, ResourceType type, boolean table, String includeObject, Predicate<ObjectNode> filter) {
            this.ex = ex;
            this.type = type;
            this.table = table;
            this.includeObject = includeObject;
            this.filter = filter;
        }

        void attach(Store.Watch w) {
            this.watch = w;
            if (!open.get()) {
                w.close();
            }
        }

        void onEnd(Runnable r) {
            this.onEnd = r;
            if (!open.get()) {
                r.run();
            }
        }

        @Override
        public void onEvent(Store.Event e) {
            if (!open.get()) {
                return;
            }
            try {
                WatchEventCache.Decoded d = cache.decode(e);
                ObjectNode obj = d.obj();
                ObjectNode prev = d.prev();
                switch (e.type()) {
                    case CREATE -> {
                        if (matches(obj)) {
                            send("ADDED", obj);
                        }
                    }
                    case UPDATE -> {
                        boolean now = matches(obj);
                        boolean before = prev == null ? now : matches(prev);
                        if (now && before) {
                            send("MODIFIED", obj);
                        } else if (now) {
                            send("ADDED", obj);
                        } else if (before) {
                            send("DELETED", obj);
                        }
                    }
                    case DELETE -> {
                        if (prev != null && matches(prev)) {
                            send("DELETED", prev);
                        }
                    }
                    default -> { }
                }
                lastRevision.set(e.modRevision());
            } catch (RuntimeException ex2) {
                LOG.warn("watch on {} failed: {}", type.plural(), ex2.toString());
                end();
            }
        }

        @Override
        public void onClose(Throwable cause) {
            end();
        }

        private boolean matches(ObjectNode obj) {
            return obj != null && (filter == null || filter.test(obj));
        }

        ChannelFuture send(String eventType, ObjectNode obj) {
            if (table) {
                ObjectNode t = TablePrinter.table(type, List.of(obj), !headersSent, includeObject, registry.clock().instant());
                headersSent = true;
                ((ObjectNode) t.get("metadata")).put("resourceVersion", obj.path("metadata").path("resourceVersion").asText());
                return writeEvent(eventType, t);
            }
            return writeLine(cache.line(eventType, obj));
        }

        void bookmark(long revision, boolean initialEventsEnd) {
            ObjectNode o = Json.object();
            o.put("kind", type.kind());
            o.put("apiVersion", type.apiVersion());
            ObjectNode m = o.putObject("metadata");
            m.put("resourceVersion", Long.toString(revision));
            if (initialEventsEnd) {
                m.putObject("annotations").put("k8s.io/initial-events-end", "true");
            }
            writeEvent("BOOKMARK", o);
        }

        ChannelFuture writeEvent(String eventType, JsonNode obj) {
            return writeLine(WatchEventCache.encode(eventType, obj));
        }

        synchronized ChannelFuture writeLine(byte[] line) {
            Channel ch = ex.channel();
            if (!open.get() || !ch.isActive()) {
                end();
                return ch.newFailedFuture(new java.nio.channels.ClosedChannelException());
            }
            if (!ch.isWritable() && ch.bytesBeforeWritable() > MAX_PENDING_BYTES) {
                LOG.info("closing watch on {}: client is not reading", type.plural());
                ch.close();
                end();
                return ch.newFailedFuture(new java.nio.channels.ClosedChannelException());
            }
            return ex.writeChunk(line);
        }

        /** Ends the stream cleanly (the client sees the response finish). */
        void end() {
            if (open.compareAndSet(true, false)) {
                ex.endStream();
                release();
            }
        }

        /** The client went away. */
        void close() {
            open.set(false);
            release();
        }

        private void release() {
            Store.Watch w = watch;
            if (w != null) {
                w.close();
            }
            Runnable r = onEnd;
            if (r != null) {
                r.run();
            }
        }
    }
}
