package io.svcnet.agent.internal;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code redis-cli} of the redis image, for {@code kubectl exec -it redis-pod -- redis-cli -h <ClusterIP>}: a
 * small RESP client with redis-cli's options {@code -h host -p port -n db -a password}, {@code --raw}/{@code --no-raw},
 * one-shot ({@code redis-cli -h h PING}) and interactive mode (a {@code host:port> } prompt, one command a line,
 * quotes as redis-cli splits them). Replies print as redis-cli prints them on a terminal ({@code PONG}, {@code OK},
 * {@code "value"}, {@code (nil)}, {@code (integer) 1}, {@code (error) ERR ...}, numbered arrays) and raw when stdout is
 * not a terminal (redis-cli's default), where interactive mode also shows no prompt.
 *
 * <p>It runs as a Java main from the agent's own classes, started by a wrapper script that {@link #onPath} puts in a
 * directory first on a redis container's PATH; a node that has a real {@code redis-cli} keeps it instead.
 *
 * <p>Threading: a single-threaded command-line program.
 */
public final class RedisCli {

    private final PrintStream out;
    private final boolean raw;
    private final String host;
    private final int port;
    private final int db;
    private final String password;
    private Socket socket;
    private InputStream in;

    private RedisCli(PrintStream out, boolean raw, String host, int port, int db, String password) {
        this.out = out;
        this.raw = raw;
        this.host = host;
        this.port = port;
        this.db = db;
        this.password = password;
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.in, System.out, System.err, System.console() != null));
    }

    /** Runs redis-cli with {@code args}; {@code terminal}: stdin and stdout are a terminal. Returns the exit code. */
    static int run(List<String> args, InputStream stdin, PrintStream out, PrintStream err, boolean terminal) {
        String host = "127.0.0.1";
        int port = 6379;
        int db = 0;
        String password = null;
        Boolean raw = null;
        List<String> command = new ArrayList<>();
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (!command.isEmpty()) {
                    command.add(a);
                    continue;
                }
                switch (a) {
                    case "-h" -> host = args.get(++i);
                    case "-p" -> port = Integer.parseInt(args.get(++i));
                    case "-n" -> db = Integer.parseInt(args.get(++i));
                    case "-a" -> password = args.get(++i);
                    case "--raw" -> raw = true;
                    case "--no-raw" -> raw = false;
                    case "--help" -> {
                        out.println("Usage: redis-cli [-h host] [-p port] [-n db] [-a password] [--raw|--no-raw] [cmd [arg ...]]");
                        return 0;
                    }
                    default -> {
                        if (a.startsWith("-") && a.length() > 1) {
                            err.println("Unrecognized option or bad number of args for: '" + a + "'");
                            return 1;
                        }
                        command.add(a);
                    }
                }
            }
        } catch (IndexOutOfBoundsException | NumberFormatException e) {
            err.println("Unrecognized option or bad number of args for: '" + String.join(" ", args) + "'");
            return 1;
        }
        RedisCli cli = new RedisCli(out, raw != null ? raw : !terminal, host, port, db, password);
        try {
            return command.isEmpty() ? cli.repl(stdin, terminal) : cli.oneShot(command, err);
        } finally {
            cli.disconnect();
        }
    }

    private int oneShot(List<String> command, PrintStream err) {
        try {
            connect();
            Object reply = call(command);
            print(reply);
            return reply instanceof RespError ? 1 : 0;
        } catch (IOException e) {
            err.println("Could not connect to Redis at " + host + ":" + port + ": " + reason(e));
            return 1;
        }
    }

    private int repl(InputStream stdin, boolean terminal) {
        try {
            connect();
        } catch (IOException e) {
            out.println("Could not connect to Redis at " + host + ":" + port + ": " + reason(e));
        }
        BufferedReader lines = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
        while (true) {
            if (terminal) {
                out.print(socket == null ? "not connected> " : host + ":" + port + (db != 0 ? "[" + db + "]" : "") + "> ");
                out.flush();
            }
            String line;
            try {
                line = lines.readLine();
            } catch (IOException e) {
                return 1;
            }
            if (line == null) {
                return 0;
            }
            List<String> words;
            try {
                words = split(line);
            } catch (IllegalArgumentException e) {
                out.println("Invalid argument(s)");
                continue;
            }
            if (words.isEmpty()) {
                continue;
            }
            String verb = words.get(0).toLowerCase(java.util.Locale.ROOT);
            if (verb.equals("quit") || verb.equals("exit")) {
                return 0;
            }
            try {
                if (socket == null) {
                    connect();
                }
                print(call(words));
            } catch (IOException e) {
                disconnect();
                out.println("Could not connect to Redis at " + host + ":" + port + ": " + reason(e));
            }
            out.flush();
        }
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), 10_000);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        socket = s;
        in = new BufferedInputStream(s.getInputStream());
        if (password != null) {
            Object r = call(List.of("AUTH", password));
            if (r instanceof RespError) {
                print(r);
            }
        }
        if (db != 0) {
            Object r = call(List.of("SELECT", Integer.toString(db)));
            if (r instanceof RespError) {
                print(r);
            }
        }
    }

    private void disconnect() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }

    private Object call(List<String> command) throws IOException {
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.writeBytes(("*" + command.size() + "\r\n").getBytes(StandardCharsets.UTF_8));
        for (String arg : command) {
            byte[] b = arg.getBytes(StandardCharsets.UTF_8);
            req.writeBytes(("$" + b.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            req.writeBytes(b);
            req.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        OutputStream o = socket.getOutputStream();
        o.write(req.toByteArray());
        o.flush();
        return read(in);
    }

    // ---- RESP --------------------------------------------------------------------------------------------------

    /** An error reply. */
    record RespError(String message) {}

    /** A simple-string reply ({@code +OK}), apart from bulk strings, which print quoted. */
    record Status(String text) {}

    /** Reads one reply: Status, RespError, Long, byte[] (bulk), null (nil), List (array). */
    static Object read(InputStream in) throws IOException {
        String line = line(in);
        if (line.isEmpty()) {
            throw new IOException("protocol error: empty reply line");
        }
        String rest = line.substring(1);
        switch (line.charAt(0)) {
            case '+' -> {
                return new Status(rest);
            }
            case '-' -> {
                return new RespError(rest);
            }
            case ':' -> {
                return Long.parseLong(rest.trim());
            }
            case '$' -> {
                int n = Integer.parseInt(rest.trim());
                if (n < 0) {
                    return null;
                }
                byte[] b = in.readNBytes(n);
                if (b.length < n || in.read() != '\r' || in.read() != '\n') {
                    throw new IOException("Server closed the connection");
                }
                return b;
            }
            case '*' -> {
                int n = Integer.parseInt(rest.trim());
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(read(in));
                }
                return items;
            }
            default -> throw new IOException("protocol error, got '" + line.charAt(0) + "' as reply type byte");
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.UTF_8);
            }
            b.write(c);
        }
        throw new IOException("Server closed the connection");
    }

    private void print(Object reply) {
        out.print(raw ? formatRaw(reply) : format(reply, ""));
        out.flush();
    }

    /** redis-cli's terminal formatting of a reply, newline-terminated. */
    static String format(Object reply, String indent) {
        if (reply == null) {
            return "(nil)\n";
        }
        if (reply instanceof Status s) {
            return s.text() + "\n";
        }
        if (reply instanceof RespError e) {
            return "(error) " + e.message() + "\n";
        }
        if (reply instanceof Long n) {
            return "(integer) " + n + "\n";
        }
        if (reply instanceof byte[] b) {
            return quote(b) + "\n";
        }
        List<?> items = (List<?>) reply;
        if (items.isEmpty()) {
            return "(empty array)\n";
        }
        StringBuilder sb = new StringBuilder();
        int width = Integer.toString(items.size()).length();
        for (int i = 0; i < items.size(); i++) {
            String num = String.format("%" + width + "d) ", i + 1);
            String inner = format(items.get(i), indent + " ".repeat(num.length()));
            sb.append(i == 0 ? "" : indent).append(num).append(inner);
        }
        return sb.toString();
    }

    /** redis-cli's raw formatting ({@code --raw}, or stdout not a terminal). */
    static String formatRaw(Object reply) {
        if (reply == null) {
            return "\n";
        }
        if (reply instanceof Status s) {
            return s.text() + "\n";
        }
        if (reply instanceof RespError e) {
            return e.message() + "\n";
        }
        if (reply instanceof Long n) {
            return n + "\n";
        }
        if (reply instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8) + "\n";
        }
        StringBuilder sb = new StringBuilder();
        for (Object o : (List<?>) reply) {
            sb.append(formatRaw(o));
        }
        return sb.toString();
    }

    /** sds's {@code sdscatrepr}: a double-quoted string with C escapes and {@code \xNN} for other bytes. */
    static String quote(byte[] b) {
        StringBuilder sb = new StringBuilder("\"");
        for (byte x : b) {
            int c = x & 0xff;
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 7 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        sb.append((char) c);
                    } else {
                        sb.append(String.format("\\x%02x", c));
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** Splits a line as redis-cli does ({@code sdssplitargs}): spaces separate, "..." with escapes and '...' quote. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (true) {
            while (i < n && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return out;
            }
            StringBuilder cur = new StringBuilder();
            boolean inDouble = false;
            boolean inSingle = false;
            while (true) {
                if (i >= n) {
                    if (inDouble || inSingle) {
                        throw new IllegalArgumentException("unbalanced quotes");
                    }
                    break;
                }
                char c = line.charAt(i);
                if (inDouble) {
                    if (c == '\\' && i + 1 < n) {
                        char e = line.charAt(++i);
                        cur.append(switch (e) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> (char) 7;
                            default -> e;
                        });
                    } else if (c == '"') {
                        if (i + 1 < n && !Character.isWhitespace(line.charAt(i + 1))) {
                            throw new IllegalArgumentException("closing quote must be followed by a space");
                        }
                        inDouble = false;
                        i++;
                        break;
                    } else {
                        cur.append(c);
                    }
                } else if (inSingle) {
                    if (c == '\\' && i + 1 < n && line.charAt(i + 1) == '\'') {
                        cur.append('\'');
                        i++;
                    } else if (c == '\'') {
                        if (i + 1 < n && !Character.isWhitespace(line.charAt(i + 1))) {
                            throw new IllegalArgumentException("closing quote must be followed by a space");
                        }
                        inSingle = false;
                        i++;
                        break;
                    } else {
                        cur.append(c);
                    }
                } else if (Character.isWhitespace(c)) {
                    break;
                } else if (c == '"') {
                    inDouble = true;
                } else if (c == '\'') {
                    inSingle = true;
                } else {
                    cur.append(c);
                }
                i++;
            }
            out.add(cur.toString());
        }
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        if (m != null && m.startsWith("Connection refused")) {
            return "Connection refused";
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }

    // ---- the wrapper on a container's PATH ------------------------------------------------------------------------

    /**
     * {@code env} with {@code dir} first on PATH, holding a {@code redis-cli} script that starts this class with the
     * agent's Java; {@code env} itself when {@code redis-cli} is already on its PATH (a real one on the node).
     */
    public static Map<String, String> onPath(Map<String, String> env, Path dir) {
        String path = env.get("PATH");
        Path real = CommandRunner.findExecutable("redis-cli", path, Path.of("/"));
        if (real != null && !real.startsWith(dir)) {
            return env;
        }
        install(dir);
        Map<String, String> out = new LinkedHashMap<>(env);
        out.put("PATH", path == null || path.isEmpty() ? dir.toString() : dir + ":" + path);
        return out;
    }

    /** Writes {@code dir/redis-cli} unless it is there with the same content (an atomic replace: concurrent starts are safe). */
    static Path install(Path dir) {
        Path script = dir.resolve("redis-cli");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes;
        try {
            classes = Path.of(RedisCli.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException | RuntimeException e) {
            classes = System.getProperty("java.class.path");
        }
        String text = "#!/bin/sh\n# svcnet: the redis image's redis-cli (io.svcnet.agent.internal.RedisCli)\n"
                + "exec " + shellQuote(java) + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xmx64m -cp " + shellQuote(classes)
                + " " + RedisCli.class.getName() + " \"$@\"\n";
        try {
            if (Files.isRegularFile(script) && Files.readString(script).equals(text)) {
                return script;
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".redis-cli", ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            try {
                Files.move(tmp, script, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, script, StandardCopyOption.REPLACE_EXISTING);
            }
            return script;
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the redis-cli wrapper " + script + ": " + e.getMessage(), e);
        }
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
