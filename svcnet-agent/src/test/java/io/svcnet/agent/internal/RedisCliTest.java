package io.svcnet.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link RedisCli} against svcnet's built-in Redis on 127.0.0.1:0: one-shot and interactive, terminal and raw output, the wrapper. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisCliTest {

    static EventLoopGroup group;
    static Channel server;
    static int port;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startRedis() throws Exception {
        group = new NioEventLoopGroup(1);
        Map<String, String> db = BuiltinHandlers.Resp.newDatabase();
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class).childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new LineBasedFrameDecoder(64 * 1024), new BuiltinHandlers.Resp(db));
            }
        }).bind("127.0.0.1", 0).sync().channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private record Run(int code, String out, String err) {}

    private static Run cli(String stdin, boolean terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RedisCli.run(List.of(args), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), terminal);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void oneShotPrintsLikeRedisCliOnATerminalAndRawOtherwise() {
        String p = Integer.toString(port);
        assertThat(cli("", true, "-h", "127.0.0.1", "-p", p, "PING")).isEqualTo(new Run(0, "PONG\n", ""));
        assertThat(cli("", true, "-p", p, "SET", "k1", "hello world")).isEqualTo(new Run(0, "OK\n", ""));
        assertThat(cli("", true, "-p", p, "GET", "k1").out()).isEqualTo("\"hello world\"\n");
        assertThat(cli("", false, "-p", p, "GET", "k1").out()).isEqualTo("hello world\n");
        assertThat(cli("", true, "-p", p, "GET", "missing").out()).isEqualTo("(nil)\n");
        assertThat(cli("", true, "-p", p, "EXISTS", "k1").out()).isEqualTo("(integer) 1\n");
        assertThat(cli("", false, "-p", p, "--no-raw", "DEL", "k1").out()).isEqualTo("(integer) 1\n");
        Run bad = cli("", true, "-p", p, "NOPE");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.out()).startsWith("(error) ERR unknown command 'NOPE'");
    }

    @Test
    void interactiveModeShowsThePromptOnATerminal() {
        String p = Integer.toString(port);
        Run r = cli("PING\nSET greeting \"hi there\"\nGET greeting\n\nGET none\nquit\nPING\n", true, "-h", "127.0.0.1", "-p", p);
        String prompt = "127.0.0.1:" + p + "> ";
        assertThat(r.out()).isEqualTo(prompt + "PONG\n" + prompt + "OK\n" + prompt + "\"hi there\"\n" + prompt + prompt + "(nil)\n" + prompt);
        assertThat(r.code()).isZero();
        Run piped = cli("PING\nGET greeting\n", false, "-p", p);
        assertThat(piped.out()).isEqualTo("PONG\nhi there\n");
    }

    @Test
    void aServerThatIsNotThereIsReported() throws Exception {
        int closed;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Run r = cli("", true, "-p", Integer.toString(closed), "PING");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Could not connect to Redis at 127.0.0.1:" + closed + ": Connection refused\n");
        assertThat(cli("PING\n", true, "-p", Integer.toString(closed)).out()).contains("not connected> ");
    }

    @Test
    void formattingAndSplittingFollowRedisCli() {
        assertThat(RedisCli.format(List.of("a".getBytes(StandardCharsets.UTF_8), 2L, List.of(new RedisCli.Status("x"))), ""))
                .isEqualTo("1) \"a\"\n2) (integer) 2\n3) 1) x\n");
        assertThat(RedisCli.format(List.of(), "")).isEqualTo("(empty array)\n");
        assertThat(RedisCli.quote("a\"b\n\u0001".getBytes(StandardCharsets.UTF_8))).isEqualTo("\"a\\\"b\\n\\x01\"");
        assertThat(RedisCli.split("set 'x y' \"a\\tb\" plain")).containsExactly("set", "x y", "a\tb", "plain");
    }

    @Test
    void theWrapperRunsTheCliWithTheAgentsJavaAndComesFirstOnPath() throws Exception {
        Path dir = tmp.resolve("redis-bin");
        Map<String, String> env = RedisCli.onPath(Map.of("PATH", "/usr/bin:/bin"), dir);
        if (CommandRunner.findExecutable("redis-cli", "/usr/bin:/bin", Path.of("/")) != null) {
            assertThat(env.get("PATH")).isEqualTo("/usr/bin:/bin"); // a real redis-cli wins
            return;
        }
        assertThat(env.get("PATH")).isEqualTo(dir + ":/usr/bin:/bin");
        assertThat(Files.isExecutable(dir.resolve("redis-cli"))).isTrue();
        List<String> cmd = new ArrayList<>(List.of(dir.resolve("redis-cli").toString(), "-p", Integer.toString(port), "ECHO", "via-wrapper"));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(proc.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo("via-wrapper\n");
        assertThat(proc.exitValue()).isZero();
    }
}
