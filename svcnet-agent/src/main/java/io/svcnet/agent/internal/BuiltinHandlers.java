package io.svcnet.agent.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Netty handlers behind the built-in images: HTTP (any {@link BuiltinHttpApps.App}, keep-alive, an nginx-style
 * access log line per request), a raw TCP echo and a UDP echo that first report the client address they saw,
 * and a minimal Redis (RESP) server. All run on the agent's event loops and never block.
 */
final class BuiltinHandlers {

    private static final DateTimeFormatter ACCESS_TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);

    private BuiltinHandlers() {}

    /** Serves one {@link BuiltinHttpApps.App}. Sharable: it keeps no per-connection state. */
    @io.netty.channel.ChannelHandler.Sharable
    static final class Http extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final BuiltinHttpApps.App app;
        private final LogSink log;

        Http(BuiltinHttpApps.App app, LogSink log) {
            this.app = app;
            this.log = log;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
            InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
            BuiltinHttpApps.Reply reply = app.handle(req, remote, local);
            boolean head = req.method().equals(HttpMethod.HEAD);
            FullHttpResponse res = new DefaultFullHttpResponse(req.protocolVersion(), reply.status(),
                    head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(reply.body()));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
            if (!reply.server().isEmpty()) {
                res.headers().set(HttpHeaderNames.SERVER, reply.server());
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (keepAlive) {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            log.line(remote.getAddress().getHostAddress() + " - - [" + ACCESS_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)) + "] \""
                    + req.method() + " " + req.uri() + " " + req.protocolVersion() + "\" " + reply.status().code() + " " + reply.body().length
                    + " \"-\" \"" + req.headers().get(HttpHeaderNames.USER_AGENT, "-") + "\"");
            var f = ctx.writeAndFlush(res);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Raw TCP echo: first a line {@code client_address=ip:port}, then every byte back. */
    static final class TcpEcho extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
            ctx.writeAndFlush(Unpooled.copiedBuffer("client_address=" + remote.getAddress().getHostAddress() + ":" + remote.getPort() + "\n",
                    StandardCharsets.UTF_8));
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** UDP echo: each datagram is answered with {@code client_address=ip:port\n} followed by its payload. */
    @io.netty.channel.ChannelHandler.Sharable
    static final class UdpEcho extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress sender = packet.sender();
            ByteBuf out = ctx.alloc().buffer();
            out.writeCharSequence("client_address=" + sender.getAddress().getHostAddress() + ":" + sender.getPort() + "\n", StandardCharsets.UTF_8);
            out.writeBytes(packet.content());
            ctx.writeAndFlush(new DatagramPacket(out, sender));
        }
    }

    /**
     * A minimal Redis: RESP arrays of bulk strings (what redis-cli sends) and inline commands (what telnet sends);
     * PING, ECHO, SET, GET, DEL, EXISTS, DBSIZE, QUIT, COMMAND; anything else is an error reply. Input arrives
     * line by line (a {@link io.netty.handler.codec.LineBasedFrameDecoder} before it), so bulk values must not
     * contain CRLF.
     */
    static final class Resp extends SimpleChannelInboundHandler<ByteBuf> {
        private final Map<String, String> data;
        private final List<String> args = new ArrayList<>();
        private int expected = -1;

        Resp(Map<String, String> data) {
            this.data = data;
        }

        static Map<String, String> newDatabase() {
            return new ConcurrentHashMap<>();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            String line = frame.toString(StandardCharsets.UTF_8);
            if (expected < 0) {
                if (line.startsWith("*")) {
                    expected = parseCount(line);
                    args.clear();
                    if (expected <= 0) {
                        expected = -1;
                    }
                    return;
                }
                if (line.isBlank()) {
                    return;
                }
                args.clear();
                for (String s : line.trim().split("\\s+")) {
                    args.add(s);
                }
                execute(ctx);
                return;
            }
            if (line.startsWith("$")) {
                return; // the length line of a bulk string; the value follows
            }
            args.add(line);
            if (args.size() == expected) {
                expected = -1;
                execute(ctx);
            }
        }

        private static int parseCount(String line) {
            try {
                return Integer.parseInt(line.substring(1).trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        private void execute(ChannelHandlerContext ctx) {
            String cmd = args.get(0).toUpperCase(Locale.ROOT);
            String reply = switch (cmd) {
                case "PING" -> args.size() > 1 ? bulk(args.get(1)) : "+PONG\r\n";
                case "ECHO" -> args.size() == 2 ? bulk(args.get(1)) : arity(cmd);
                case "SET" -> {
                    if (args.size() < 3) {
                        yield arity(cmd);
                    }
                    data.put(args.get(1), args.get(2));
                    yield "+OK\r\n";
                }
                case "GET" -> args.size() == 2 ? bulk(data.get(args.get(1))) : arity(cmd);
                case "DEL" -> {
                    int n = 0;
                    for (String k : args.subList(1, args.size())) {
                        n += data.remove(k) != null ? 1 : 0;
                    }
                    yield ":" + n + "\r\n";
                }
                case "EXISTS" -> ":" + args.subList(1, args.size()).stream().filter(data::containsKey).count() + "\r\n";
                case "DBSIZE" -> ":" + data.size() + "\r\n";
                case "COMMAND" -> "*0\r\n";
                case "QUIT" -> "+OK\r\n";
                default -> "-ERR unknown command '" + args.get(0) + "', with args beginning with: \r\n";
            };
            var f = ctx.writeAndFlush(Unpooled.copiedBuffer(reply, StandardCharsets.UTF_8));
            if (cmd.equals("QUIT")) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static String bulk(String v) {
            if (v == null) {
                return "$-1\r\n";
            }
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            return "$" + b.length + "\r\n" + v + "\r\n";
        }

        private static String arity(String cmd) {
            return "-ERR wrong number of arguments for '" + cmd.toLowerCase(Locale.ROOT) + "' command\r\n";
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
