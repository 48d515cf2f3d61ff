package io.lockkit;

/**
 * The retrying updater gave up: every attempt lost a compare-and-set race until its {@link
 * RetryPolicy} was exhausted.
 */
public class ConcurrentUpdateException extends LockKitException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final int attempts;
    private final long lastVersionSeen;

    public ConcurrentUpdateException(String key, int attempts, long lastVersionSeen, String why) {
        this(key, attempts, lastVersionSeen, why, null);
    }

    public ConcurrentUpdateException(
            String key,
            int attempts,
            long lastVersionSeen,
            String why,
            @org.jspecify.annotations.Nullable Throwable cause) {
        super(
                "update of '" + key + "' gave up after " + attempts + " attempt(s), last version seen "
                        + (lastVersionSeen == 0 ? "none" : Long.toString(lastVersionSeen)) + ": " + why,
                cause);
        this.key = key;
        this.attempts = attempts;
        this.lastVersionSeen = lastVersionSeen;
    }

    public String key() {
        return key;
    }

    public int attempts() {
        return attempts;
    }

    /** The last version read, or 0 when the key was absent on every read. */
    public long lastVersionSeen() {
        return lastVersionSeen;
    }
}
