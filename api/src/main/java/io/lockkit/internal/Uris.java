package io.lockkit.internal;

import java.util.regex.Pattern;

/**
 * Removes credentials from URIs before they reach a message or a log line. It parses by structure
 * rather than by the characters a valid URI would allow, because users write passwords raw: the
 * user info runs from {@code //} to the <em>last</em> {@code @} that is followed by a host list, so
 * a password may contain {@code /}, {@code #}, {@code ?} or {@code @}; and a secret query parameter
 * runs to the next {@code &} or {@code ;}, so it may contain {@code #}.
 */
public final class Uris {
    /** What may follow the user info: hosts, ports, IPv6 brackets, commas between hosts. */
    private static final Pattern HOSTS = Pattern.compile("[A-Za-z0-9._~%\\-\\[\\]:,]*");

    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i)((?:^|[?&;])[A-Za-z0-9_.\\-]*(?:password|passwd|pwd|secret|token|auth|user|username)=)[^&;]*");

    private Uris() {}

    /**
     * {@code redis://user:p/w#@host/0?sslpassword=x} → {@code redis://***@host/0?sslpassword=***}. When
     * a query value holds an {@code @} followed by a host-like word, more than the user info may be
     * hidden: the safe side.
     */
    public static String redact(String uri) {
        String s = uri;
        int start = s.indexOf("//");
        if (start >= 0) {
            start += 2;
            int at = userInfoEnd(s, start);
            if (at >= 0) {
                s = s.substring(0, start) + "***" + s.substring(at);
            }
        }
        return SECRET_PARAM.matcher(s).replaceAll("$1***");
    }

    /**
     * The index of the {@code @} that ends the user info of the authority starting at {@code
     * start}, or -1 when there is none: the last {@code @} after which a host list runs to a
     * {@code /}, {@code ?}, {@code #} or the end.
     */
    public static int userInfoEnd(String uri, int start) {
        for (int at = uri.lastIndexOf('@'); at >= start; at = uri.lastIndexOf('@', at - 1)) {
            int end = at + 1;
            while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
                end++;
            }
            if (HOSTS.matcher(uri.substring(at + 1, end)).matches()) {
                return at;
            }
        }
        return -1;
    }
}
