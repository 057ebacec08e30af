package io.svcnet.api.selector;

/**
 * A label or field selector that does not parse or names an unsupported field. The message is the one
 * kube-apiserver returns for the same input (e.g. {@code unable to parse requirement: ...},
 * {@code field label not supported: foo.bar}); the apiserver turns it into a 400 BadRequest.
 */
public final class SelectorParseException extends IllegalArgumentException {

    public SelectorParseException(String message) {
        super(message);
    }
}
