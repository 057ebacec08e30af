package io.svcnet.api.proto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Malformed bodies -- random mutations of the kubectl fixtures and plain random bytes -- either decode or fail
 * with {@link IllegalArgumentException}; nothing else escapes, and nothing hangs (the class timeout bounds the
 * 20,000 mutations plus the random inputs; the seed is fixed so a failure reproduces).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubernetesProtobufFuzzTest {

    private static final int MUTATIONS = 20_000;

    @Test
    void mutatedFixturesDecodeOrFailWithIllegalArgument() {
        List<byte[]> fixtures = KubernetesProtobufTest.fixtures()
                .map(name -> KubernetesProtobufTest.resource(name + ".pb")).toList();
        SplittableRandom random = new SplittableRandom(20260102L);
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] input = mutate(fixtures.get(random.nextInt(fixtures.size())), random);
            if (tryDecode(input, i)) {
                decoded++;
            } else {
                rejected++;
            }
        }
        // both outcomes must be common, or the mutations are not exercising the decoder
        assertThat(decoded).isGreaterThan(MUTATIONS / 20);
        assertThat(rejected).isGreaterThan(MUTATIONS / 20);
    }

    @Test
    void randomBytesAfterTheMagicFailWithIllegalArgument() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 5_000; i++) {
            byte[] input = new byte[4 + random.nextInt(200)];
            random.nextBytes(input);
            if (random.nextBoolean()) {
                input[0] = 'k';
                input[1] = '8';
                input[2] = 's';
                input[3] = 0;
            }
            tryDecode(input, i);
        }
    }

    @Test
    void everyPrefixOfEveryFixtureDecodesOrFailsWithIllegalArgument() {
        KubernetesProtobufTest.fixtures().forEach(name -> {
            byte[] body = KubernetesProtobufTest.resource(name + ".pb");
            for (int n = 0; n < body.length; n++) {
                tryDecode(Arrays.copyOf(body, n), n);
            }
        });
    }

    /** True when decoded, false when rejected with IllegalArgumentException; any other throwable fails the test. */
    private static boolean tryDecode(byte[] input, int round) {
        try {
            KubernetesProtobuf.decode(input);
            return true;
        } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).isNotBlank();
            return false;
        } catch (Throwable t) {
            throw new AssertionError("round " + round + ": " + t + " for input "
                    + java.util.HexFormat.of().formatHex(input), t);
        }
    }

    private static byte[] mutate(byte[] original, SplittableRandom random) {
        byte[] b = original.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            // never touch the magic in most rounds, so mutations reach the protobuf decoder
            int from = random.nextInt(10) == 0 ? 0 : 4;
            if (b.length <= from) {
                return b;
            }
            int at = from + random.nextInt(b.length - from);
            switch (random.nextInt(7)) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[at] = (byte) random.nextInt(256);
                case 2 -> b[at] = new byte[] {0, (byte) 0x80, (byte) 0xff, 0x7f, 0x0a, 0x12}[random.nextInt(6)];
                case 3 -> b = Arrays.copyOf(b, at);
                case 4 -> {
                    int len = Math.min(b.length - at, 1 + random.nextInt(8));
                    byte[] shorter = new byte[b.length - len];
                    System.arraycopy(b, 0, shorter, 0, at);
                    System.arraycopy(b, at + len, shorter, at, b.length - at - len);
                    b = shorter;
                }
                case 5 -> {
                    byte[] junk = new byte[1 + random.nextInt(6)];
                    random.nextBytes(junk);
                    byte[] longer = new byte[b.length + junk.length];
                    System.arraycopy(b, 0, longer, 0, at);
                    System.arraycopy(junk, 0, longer, at, junk.length);
                    System.arraycopy(b, at, longer, at + junk.length, b.length - at);
                    b = longer;
                }
                default -> {
                    int len = Math.min(b.length - at, 1 + random.nextInt(16));
                    byte[] longer = new byte[b.length + len];
                    System.arraycopy(b, 0, longer, 0, at + len);
                    System.arraycopy(b, at, longer, at + len, b.length - at);
                    b = longer;
                }
            }
        }
        return b;
    }
}
