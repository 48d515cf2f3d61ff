package io.lockkit.spi;

import io.lockkit.BackendUnavailableException;
import io.lockkit.LockKitException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials from URIs before they reach a message or a log line. It parses by structure
 * rather than by the characters a valid URI would allow, because users write passwords raw: the
 * user info runs from {@code //} to the <em>last</em> {@code @} that is followed by a host list, so
 * a password may contain {@code /}, {@code #}, {@code ?} or {@code @}; and a secret query parameter
 * runs to the next {@code &}, so it may contain {@code #}, {@code ;}, {@code ?} or {@code @}. When an
 * {@code @} follows {@code //} but no host list follows any {@code @}, nothing after {@code //} is
 * shown.
 */
public final class Uris {
    /** What may follow the user info: hosts, ports, IPv6 brackets, commas between hosts. */
    private static final Pattern HOSTS = Pattern.compile("[A-Za-z0-9._~%\\-\\[\\]:,]*");

    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i)((?:^|[?&;])[A-Za-z0-9_.\\-]*(?:password|passwd|pass|pwd|secret|token|auth|key|credentials?|user|username)=)[^&]*");

    /**
     * The parameters whose values are credentials. {@link #redact} also hides user names, but the
     * net of {@link #scrubbed} must not: a user such as {@code postgres} stands in every message that
     * names the scheme {@code postgresql}.
     */
    private static final Pattern PASSWORD_PARAM = Pattern.compile(
            "(?i)((?:^|[?&;])[A-Za-z0-9_.\\-]*(?:password|passwd|pass|pwd|secret|token|auth|key|credentials?)=)[^&]*");

    private Uris() {}

    /**
     * {@code redis://user:p/w#@host/0?sslpassword=x} → {@code redis://***@host/0?sslpassword=***}. When
     * a query value holds an {@code @} followed by a host-like word, more than the user info may be
     * hidden: the safe side.
     */
    public static String redact(String uri) {
        // Secret parameters first: a raw password value may hold '@', '?' or '/', which must not be
        // taken for the end of the user info.
        String s = SECRET_PARAM.matcher(uri).replaceAll("$1***");
        int start = s.indexOf("//");
        if (start >= 0) {
            start += 2;
            int at = userInfoEnd(s, start);
            if (at >= 0) {
                s = s.substring(0, start) + "***" + s.substring(at);
            } else if (s.indexOf('@', start) >= 0) {
                // An '@' that no host list follows ('u:pw@bad host'): what is user info and what is
                // host cannot be told, so nothing after '//' is shown.
                s = s.substring(0, start) + "*** (the rest is not shown: its user info cannot be told from its hosts)";
            }
        }
        return s;
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

    /**
     * The secrets in {@code uri} and {@code options}: the user info (and its password part), the
     * values of secret query parameters and options, each also percent-decoded.
     */
    public static List<String> secrets(String uri, Map<String, String> options) {
        List<String> secrets = new ArrayList<>();
        int start = uri.indexOf("//");
        if (start >= 0) {
            int at = userInfoEnd(uri, start + 2);
            if (at >= 0) {
                String userInfo = uri.substring(start + 2, at);
                int colon = userInfo.indexOf(':');
                if (colon >= 0) { // a user name alone is no credential, and hiding it would mangle messages
                    addSecret(secrets, userInfo.substring(colon + 1));
                }
            }
        }
        Matcher m = PASSWORD_PARAM.matcher(uri);
        while (m.find()) {
            addSecret(secrets, uri.substring(m.end(1), m.end()));
        }
        options.forEach((k, v) -> {
            if (PASSWORD_PARAM.matcher("?" + k + "=x").find()) {
                addSecret(secrets, v);
            }
        });
        return secrets;
    }

    private static void addSecret(List<String> secrets, String secret) {
        if (secret.length() < 3) {
            return; // too short to hide without hiding ordinary words; a message never needs it anyway
        }
        secrets.add(secret);
        try {
            String decoded = URLDecoder.decode(secret.replace("+", "%2B"), StandardCharsets.UTF_8);
            if (!decoded.equals(secret)) {
                secrets.add(decoded);
            }
        } catch (IllegalArgumentException e) {
            // not percent-encoded
        }
    }

    /**
     * {@code e} itself when no message in its cause chain shows a secret of {@code uri} or
     * {@code options}; otherwise an exception of the same kind whose message has every secret
     * replaced by {@code ***} and no cause (a cause's message or a driver's stack may repeat it). A
     * net under every provider: credentials never appear in a message, whatever a driver puts there.
     */
    public static RuntimeException scrubbed(RuntimeException e, String uri, Map<String, String> options) {
        List<String> secrets = secrets(uri, options);
        boolean shows = false;
        for (Throwable t = e; t != null && !shows; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            shows = secrets.stream().anyMatch(message::contains);
        }
        if (!shows) {
            return e;
        }
        String message = String.valueOf(e.getMessage());
        for (String secret : secrets) {
            message = message.replace(secret, "***");
        }
        message += " (details hidden: a cause showed a credential)";
        if (e instanceof BackendUnavailableException) {
            return new BackendUnavailableException(message);
        }
        if (e instanceof IllegalArgumentException) {
            return new IllegalArgumentException(message);
        }
        if (e instanceof LockKitException) {
            return new BackendUnavailableException(message);
        }
        return new IllegalStateException(message);
    }
}
