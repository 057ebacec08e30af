package io.svcnet.dns.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A prepared response for one (name, type): the bytes that follow the question, with its section counts and the
 * RRset boundaries where it may be truncated. Immutable and shared by all event loops; serving it is a copy.
 *
 * <p>Truncation (RFC 2181 §9, as dnsjava does it): only whole RRsets are dropped; TC is set if anything from the
 * answer or authority section was dropped, not for the additional section.
 */
final class Answer {

    final int rcode;
    final byte[] body;
    final int an;
    final int ns;
    final int ar;
    /**
     * Per RRset k, four ints at {@code 4k}: body offset where the set ends (ascending), then the cumulative answer,
     * authority and additional counts up to and including it. One array: this is per name, times 100k names.
     */
    final int[] cuts;

    private Answer(int rcode, byte[] body, List<int[]> sets) {
        this.rcode = rcode;
        this.body = body;
        int n = sets.size();
        cuts = new int[4 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(sets.get(i), 0, cuts, 4 * i, 4);
        }
        an = n == 0 ? 0 : cuts[4 * n - 3];
        ns = n == 0 ? 0 : cuts[4 * n - 2];
        ar = n == 0 ? 0 : cuts[4 * n - 1];
    }

    int sets() {
        return cuts.length / 4;
    }

    /** Builds an answer section by section, one RRset at a time. */
    static final class Builder {
        final MessageWriter w;
        private final int start;
        private final List<int[]> cuts = new ArrayList<>();
        private int an;
        private int ns;
        private int ar;

        Builder(String qname) {
            w = new MessageWriter(qname);
            start = w.position();
        }

        /** Closes an RRset of {@code count} records just written into {@code section} (1 an, 2 ns, 3 ar). */
        void endSet(int section, int count) {
            if (count == 0) {
                return;
            }
            switch (section) {
                case 1 -> an += count;
                case 2 -> ns += count;
                default -> ar += count;
            }
            cuts.add(new int[] {w.position() - start, an, ns, ar});
        }

        Answer build(int rcode) {
            return new Answer(rcode, w.body(), cuts);
        }
    }
}
