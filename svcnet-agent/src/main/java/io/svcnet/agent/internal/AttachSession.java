package io.svcnet.agent.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * One {@code kubectl attach} (the kubelet's {@code /attach}) to a running container process: the client's stdin
 * goes to the container's stdin pipe (when the container has {@code stdin: true} and the client asked for stdin),
 * the container's output is streamed from its log file on the stdout channel until the instance exits, then a
 * Success Status ends the stream. With {@code stdinOnce} the container's stdin is closed when this attach's stdin
 * closes (or the client leaves), so a shell started by {@code kubectl run -it --rm} exits and the pod completes.
 * A resize is applied to the container's pseudo-terminal.
 *
 * <p>Output: the container writes to its log (stdout and stderr interleaved, as {@code kubectl logs} shows it), so
 * an attach cannot tell them apart and sends both on stdout. The first attach to an instance sees its output from
 * the start (the kubelet's attach only streams from the moment of attaching, which loses the prompt or the whole
 * output of a short command that ran before kubectl attached); later attaches see output from the moment they attach.
 *
 * <p>Threading: {@link #run} blocks its (blocking-executor) thread while it follows the log; client messages arrive
 * on the event loop and are handed to a {@link StdinWriter}.
 */
final class AttachSession implements RemoteCommandStream.Input {

    private final RemoteCommandStream stream;
    private final ExecutorService executor;
    private final ContainerRunner.Attachable target;
    private final StdinWriter stdin;
    private volatile int[] pendingSize;
    private volatile boolean gone;

    private AttachSession(RemoteCommandStream stream, ExecutorService executor, ContainerRunner.Attachable target, boolean wantsStdin) {
        this.stream = stream;
        this.executor = executor;
        this.target = target;
        OutputStream pipe = wantsStdin && target.stdin() ? target.instance().stdin() : null;
        this.stdin = pipe == null ? null : new StdinWriter(pipe, stream.channel(), false, executor);
    }

    /** Streams the attach until the container instance exits or the client leaves. */
    static void run(RemoteCommandStream stream, ExecutorService executor, ContainerRunner.Attachable target, boolean wantsStdin) {
        new AttachSession(stream, executor, target, wantsStdin).follow();
    }

    private void follow() {
        CompletableFuture<Integer> exited = target.instance().exited();
        try (RandomAccessFile f = new RandomAccessFile(target.log().toFile(), "r")) {
            long pos = target.instance().firstAttach() ? 0 : f.length();
            stream.bind(this);
            byte[] buf = new byte[32 * 1024];
            while (!gone) {
                f.seek(pos);
                int n = f.read(buf);
                if (n > 0) {
                    pos += n;
                    if (!stream.send(RemoteCommandStream.STDOUT, buf, 0, n)) {
                        break;
                    }
                    continue;
                }
                if (exited.isDone()) {
                    if (f.length() <= pos) {
                        break;
                    }
                    continue;
                }
                Thread.sleep(30);
            }
        } catch (IOException e) {
            // the log went away with the pod
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stdin != null) {
            stdin.close();
        }
        stream.finish(RemoteCommandStream.success());
    }

    // ---- client messages (event loop) ---------------------------------------------------------------------------

    @Override
    public void stdin(byte[] data) {
        if (stdin != null) {
            stdin.write(data);
        }
    }

    @Override
    public void stdinClosed() {
        if (stdin != null) {
            stdin.close();
            if (target.stdinOnce()) {
                // after what this attach queued has been written: the writer task runs in order, so queue the close
                executor.execute(this::closeContainerStdinAfterWriter);
            }
        }
    }

    @Override
    public void resize(int columns, int rows) {
        if (!target.tty()) {
            return;
        }
        pendingSize = new int[] {columns, rows};
        executor.execute(() -> {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!gone && !target.instance().exited().isDone() && System.nanoTime() < deadline) {
                int[] size = pendingSize;
                if (PseudoTerminal.resize(target.instance().handle(), size[0], size[1]) && pendingSize == size) {
                    return;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
    }

    @Override
    public void disconnected() {
        gone = true;
        stdinClosed();
    }

    private void closeContainerStdinAfterWriter() {
        // the writer drains its queue then stops; give it a moment before closing the shared pipe under it
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!stdin.done() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        target.instance().closeStdin();
    }
}
