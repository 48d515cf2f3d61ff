package io.lockkit.redis;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Keeps credentials out of lockkit's messages. Redisson prints a client's address, user info and
 * all ({@code redis://user:password@host:port}, decoded), into the messages of its connection
 * errors; an application's own client may carry its password that way. Every message lockkit
 * builds from a Redisson error, and every cause it attaches, goes through here.
 */
final class Credentials {
    /**
     * A URI's user info: everything from the scheme's {@code //} to the last {@code @} that a host
     * follows, on the same line and before the next URI. Blanks included: Redisson prints the
     * password decoded, so {@code pass%20word} shows as {@code pass word}.
     */
    private static final Pattern USER_INFO = Pattern.compile(
            "([a-zA-Z][a-zA-Z0-9+.-]*://)(?:(?![a-zA-Z][a-zA-Z0-9+.-]*://)[^\\r\\n])*@(?=\\[?[A-Za-z0-9._:%-]+\\]?)");

    private Credentials() {}

    /** {@code message} with every URI's user info shown as {@code ***}. */
    static String scrub(@Nullable String message) {
        String m = String.valueOf(message);
        // greedy to the last '@' before the next URI, so a password holding '@' or a blank is hidden whole
        return USER_INFO.matcher(m).replaceAll(r -> Matcher.quoteReplacement(r.group(1)) + "***@");
    }

    /**
     * {@code error} itself when no message in its cause chain shows user info; otherwise a copy of
     * the chain whose messages are scrubbed, with the same stack traces (the types become plain
     * {@link RuntimeException}s, since a message cannot be changed in place).
     */
    static @Nullable Throwable scrubbed(@Nullable Throwable error) {
        if (error == null || !shows(error)) {
            return error;
        }
        RuntimeException copy = new RuntimeException(
                error.getClass().getName() + ": " + scrub(error.getMessage()), scrubbed(error.getCause()));
        copy.setStackTrace(error.getStackTrace());
        return copy;
    }

    private static boolean shows(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() != null && USER_INFO.matcher(t.getMessage()).find()) {
                return true;
            }
        }
        return false;
    }
}
