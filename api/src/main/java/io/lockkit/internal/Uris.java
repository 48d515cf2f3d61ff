package io.lockkit.internal;

import java.util.regex.Pattern;

/** Removes credentials from URIs before they reach a message or a log line. */
public final class Uris {
    private static final Pattern USER_INFO = Pattern.compile("(?<=//)[^/?#@]*@");
    private static final Pattern SECRET_PARAM =
            Pattern.compile("(?i)((?:^|[?&;])(?:password|passwd|pwd|secret|token|auth|user(?:name)?)=)[^&;#]*");

    private Uris() {}

    /** {@code redis://user:pw@host/0?password=x} → {@code redis://***@host/0?password=***}. */
    public static String redact(String uri) {
        String noUserInfo = USER_INFO.matcher(uri).replaceAll("***@");
        return SECRET_PARAM.matcher(noUserInfo).replaceAll("$1***");
    }
}
