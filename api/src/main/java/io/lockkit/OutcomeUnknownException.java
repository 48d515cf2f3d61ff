package io.lockkit;

/**
 * A write was sent and its result is unknown: it may or may not have been applied (V4). The
 * retrying updater never retries it; the caller must read and decide.
 */
public class OutcomeUnknownException extends LockKitException {
    private static final long serialVersionUID = 1L;

    public OutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
