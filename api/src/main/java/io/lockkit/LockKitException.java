package io.lockkit;

/** The root of every exception lockkit throws for a store-side condition. Unchecked. */
public class LockKitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LockKitException(String message) {
        super(message);
    }

    public LockKitException(String message, Throwable cause) {
        super(message, cause);
    }
}
