package io.lockkit;

/**
 * A fenced write carried a token lower than one that already wrote the key (V3): its writer is a
 * zombie whose lease was taken over. Never retried.
 */
public class FencedOutException extends LockKitException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final long token;
    private final long highestToken;

    public FencedOutException(String key, long token, long highestToken) {
        super("write to '" + key + "' fenced out: token " + token + " is lower than " + highestToken
                + ", which already wrote the key");
        this.key = key;
        this.token = token;
        this.highestToken = highestToken;
    }

    public String key() {
        return key;
    }

    /** The rejected writer's token. */
    public long token() {
        return token;
    }

    /** The highest token that has written the key, as far as the store reported it. */
    public long highestToken() {
        return highestToken;
    }
}
