package io.svcnet.api.patch;

import java.util.Objects;

/**
 * A patch that cannot be applied. The apiserver turns it into a {@code metav1.Status} with
 * {@link #code()} and {@link #reason()}.
 *
 * <p>Which failures are which (kube-apiserver {@code handlers/patch.go},
 * {@code interpretStrategicMergePatchError}/{@code interpretJSONPatchError}):
 * <ul>
 *   <li>{@link Kind#BAD_REQUEST} (400, BadRequest): the patch document itself is malformed – not a
 *       JSON object (SMP, merge patch) or array (JSON patch), an unknown {@code op} or {@code $patch}
 *       value, a directive of the wrong shape ({@code $retainKeys}, {@code $setElementOrder/...},
 *       {@code $deleteFromPrimitiveList/...}), a JSON pointer that does not parse, a list-of-maps
 *       patch element without its merge key. Kubernetes answers the last one with a bare 500
 *       ({@code map: ... does not contain declared merge key: name}); svcnet says 400 with the same
 *       text, since the client sent the bad patch.</li>
 *   <li>{@link Kind#INVALID} (422, Invalid): a well-formed patch that cannot be applied to this
 *       object – a failed JSON-patch {@code test}, a path that does not exist, an index out of range,
 *       patch content outside {@code $retainKeys}, lists of lists, an applied configuration whose
 *       shape does not fit the schema.</li>
 * </ul>
 */
public final class PatchException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The HTTP class of the failure. */
    public enum Kind {
        BAD_REQUEST(400, "BadRequest"),
        INVALID(422, "Invalid");

        private final int code;
        private final String reason;

        Kind(int code, String reason) {
            this.code = code;
            this.reason = reason;
        }

        public int code() {
            return code;
        }

        public String reason() {
            return reason;
        }
    }

    private final Kind kind;

    public PatchException(Kind kind, String message) {
        super(Objects.requireNonNull(message, "message"));
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public static PatchException badRequest(String message) {
        return new PatchException(Kind.BAD_REQUEST, message);
    }

    public static PatchException invalid(String message) {
        return new PatchException(Kind.INVALID, message);
    }

    public Kind kind() {
        return kind;
    }

    /** True for 400 BadRequest, false for 422 Invalid. */
    public boolean isBadRequest() {
        return kind == Kind.BAD_REQUEST;
    }

    /** The HTTP status code: 400 or 422. */
    public int code() {
        return kind.code();
    }

    /** The {@code metav1.Status} reason: "BadRequest" or "Invalid". */
    public String reason() {
        return kind.reason();
    }
}
