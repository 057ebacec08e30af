package io.svcnet.proxy.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollChannelConfig;
import io.netty.channel.epoll.EpollMode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Switches both epoll channels of a proxied connection from edge- to level-triggered, which Netty's {@code spliceTo}
 * requires ({@link Spliced}). Proxied sockets start edge-triggered: with AUTO_READ off, a level-triggered channel
 * costs two {@code epoll_ctl} calls per read (Netty clears EPOLLIN after each read and sets it again on the next
 * {@code read()}), about 10 % more CPU per request in {@code bench/proxy/cpu.sh}; only the few connections that turn
 * out to be bulk flows pay for the switch, once.
 *
 * <p>Netty fixes the epoll mode while a channel is registered, so each channel is deregistered and registered again
 * on the same event loop with the new mode: one {@code epoll_ctl} DEL and one ADD. The re-registration happens in the
 * deregistration's own completion (the same event-loop task), so no other task ever sees the channel unregistered;
 * its pending writes, read requests and EPOLLOUT interest are kept (Netty keeps them in the channel and adds them
 * with the ADD), and level-triggered epoll reports again whatever became ready in between. Both directions of a
 * connection may ask at once: the second waits for the first switch. Threading: the connection's event loop only.
 */
final class LevelTriggered {

    /** One switch in progress for a pair of channels, shared by both directions' relays. */
    static final class Switch {
        private final List<Consumer<Boolean>> waiters = new ArrayList<>(2);
        private int pending = 2;
        private boolean ok = true;
        private boolean done;

        /** Runs {@code then} with the outcome once the switch is over (at once if it is). */
        void whenDone(Consumer<Boolean> then) {
            if (done) {
                then.accept(ok);
            } else {
                waiters.add(then);
            }
        }

        private void finished(boolean success) {
            ok &= success;
            if (--pending == 0) {
                done = true;
                for (Consumer<Boolean> w : waiters) {
                    w.accept(ok);
                }
                waiters.clear();
            }
        }
    }

    private LevelTriggered() {}

    /** Whether {@code ch} is an epoll channel in level-triggered mode. */
    static boolean is(Channel ch) {
        return ch.config() instanceof EpollChannelConfig c && c.getEpollMode() == EpollMode.LEVEL_TRIGGERED;
    }

    /**
     * Starts switching {@code a} and {@code b} (epoll channels on one event loop) to level-triggered mode; the
     * returned switch reports true when both are registered again in that mode, false when either failed (a closed
     * channel, say) — the caller then closes both.
     */
    static Switch start(Channel a, Channel b) {
        Switch s = new Switch();
        switchOne(a, s);
        switchOne(b, s);
        return s;
    }

    private static void switchOne(Channel ch, Switch s) {
        if (is(ch)) {
            s.finished(true);
            return;
        }
        EventLoop loop = ch.eventLoop();
        ch.deregister().addListener((ChannelFuture d) -> {
            if (!d.isSuccess() || !ch.isOpen()) {
                s.finished(false);
                return;
            }
            try {
                ((EpollChannelConfig) ch.config()).setEpollMode(EpollMode.LEVEL_TRIGGERED);
            } catch (RuntimeException e) {
                s.finished(false);
                return;
            }
            loop.register(ch).addListener((ChannelFuture r) -> s.finished(r.isSuccess()));
        });
    }
}
