package io.lockkit;

/**
 * The store could not be reached within the configured time (E2). Never means "held by
 * another": a lost race is an empty {@code Optional} (L6).
 */
public class BackendUnavailableException extends LockKitException {
    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(String message) {
        super(message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
