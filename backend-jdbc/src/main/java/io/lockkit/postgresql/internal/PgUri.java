package io.lockkit.postgresql.internal;

import io.lockkit.internal.Uris;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * A {@code jdbc:postgresql:} or {@code postgresql://} URI taken apart by structure: the JDBC URL
 * with no credential left in it, and the credentials as driver properties. Users write passwords
 * raw, so a password may hold {@code /}, {@code #}, {@code ?} or {@code @} ({@link #userInfoEnd});
 * a secret query parameter ({@code password}, {@code sslpassword}, any name ending in password,
 * passwd, pwd, secret or token) runs to the next {@code &}. Both are percent-decoded only, never
 * form-decoded ({@code +} stays {@code +}). The driver, which logs the URL it is given, never sees
 * them in it.
 *
 * @param jdbcUrl the URL for the driver, without user info or secret parameters
 * @param credentials {@code user}, {@code password} and the secret parameters, decoded
 */
record PgUri(String jdbcUrl, Properties credentials) {
    private static final String JDBC = "jdbc:postgresql:";
    private static final String LIBPQ = "postgresql://";
    /** Hosts as an authority holds them: {@code host[:port]} or {@code [v6][:port]}, comma-separated. */
    private static final Pattern HOST_LIST = Pattern.compile(
            "(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._~%\\-]+)(:\\d+)?(,(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._~%\\-]+)(:\\d+)?)*");

    /**
     * @throws IllegalArgumentException when {@code uri} is not one of the two forms, or its hosts
     *     cannot be told from its user info; the message never shows the URI, which may hold a password
     */
    static PgUri parse(String uri) {
        String body;
        boolean libpq = uri.startsWith(LIBPQ);
        if (uri.startsWith(JDBC)) {
            body = uri.substring(JDBC.length());
        } else if (libpq) {
            body = "//" + uri.substring(LIBPQ.length());
        } else {
            throw bad("it starts with neither " + JDBC + " nor " + LIBPQ);
        }
        Properties credentials = new Properties();
        if (body.startsWith("//")) {
            int at = userInfoEnd(body, libpq);
            int hosts = at >= 0 ? at + 1 : 2;
            if (!HOST_LIST.matcher(body.substring(hosts, hostsEnd(body, hosts))).matches()) {
                throw bad("no host list (host[:port][,host[:port]…]) where one belongs");
            }
            if (at >= 0) {
                String userInfo = body.substring(2, at);
                int colon = userInfo.indexOf(':');
                String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
                if (!user.isEmpty()) {
                    credentials.setProperty("user", user);
                }
                if (colon >= 0) {
                    credentials.setProperty("password", decode(userInfo.substring(colon + 1)));
                }
                body = "//" + body.substring(at + 1);
            }
        }
        int question = body.indexOf('?');
        if (question < 0) {
            return new PgUri(JDBC + body, credentials);
        }
        List<String> kept = new ArrayList<>();
        for (String parameter : body.substring(question + 1).split("&", -1)) {
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals);
            if (equals >= 0 && isSecret(name)) {
                credentials.setProperty(name, decode(parameter.substring(equals + 1)));
            } else if (!parameter.isEmpty()) {
                kept.add(parameter);
            }
        }
        String path = body.substring(0, question);
        return new PgUri(JDBC + path + (kept.isEmpty() ? "" : "?" + String.join("&", kept)), credentials);
    }

    /**
     * Where the user info of {@code body} ({@code //…}) ends, or -1 when there is none. A password
     * may hold {@code /}, {@code ?}, {@code #} and {@code @} raw, and a query value may hold {@code
     * @}, so: the last {@code @} followed by a host list and a database path ({@code /}) ends it;
     * else the authority read by the standard (up to the first {@code /}, {@code ?} or {@code #}) is
     * taken when it holds a valid host list (after its last {@code @}, if any); else, for a libpq URI
     * without a database path, the last {@code @} followed by a host list and the end, {@code ?} or
     * {@code #}, unless a {@code ?} comes before it (then the {@code @} could be a query value's).
     */
    static int userInfoEnd(String body, boolean libpq) {
        int lenient = Uris.userInfoEnd(body, 2);
        if (lenient >= 0) {
            int end = hostsEnd(body, lenient + 1);
            if (end < body.length() && body.charAt(end) == '/') {
                return lenient;
            }
        }
        int authorityEnd = hostsEnd(body, 2);
        int at = body.lastIndexOf('@', authorityEnd - 1);
        int standard = at >= 2 ? at : -1;
        String hosts = body.substring(standard >= 0 ? standard + 1 : 2, authorityEnd);
        if (HOST_LIST.matcher(hosts).matches()) {
            return standard;
        }
        if (libpq && lenient >= 0 && body.lastIndexOf('?', lenient) < 0) {
            return lenient;
        }
        throw bad("its hosts cannot be told from its user info; percent-encode / ? # @ in the password");
    }

    /** The index of the first {@code /}, {@code ?} or {@code #} from {@code from}, or the length. */
    private static int hostsEnd(String s, int from) {
        int end = from;
        while (end < s.length() && "/?#".indexOf(s.charAt(end)) < 0) {
            end++;
        }
        return end;
    }

    private static boolean isSecret(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith("password")
                || n.endsWith("passwd")
                || n.endsWith("pwd")
                || n.endsWith("secret")
                || n.endsWith("token");
    }

    private static IllegalArgumentException bad(String why) {
        return new IllegalArgumentException("not a PostgreSQL URI (" + JDBC + "//host[:port]/database[?properties]"
                + " or " + LIBPQ + "[user[:password]@]host[:port][/database][?properties]): " + why
                + "; the URI is not shown, as it may hold a password");
    }

    /** Percent-decoding only: {@code %XX} becomes its byte, anything else (a {@code +}, a lone {@code %}) stays. */
    static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            int hi = i + 2 < raw.length ? Character.digit(raw[i + 1], 16) : -1;
            int lo = i + 2 < raw.length ? Character.digit(raw[i + 2], 16) : -1;
            if (raw[i] == '%' && hi >= 0 && lo >= 0) {
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.write(raw[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "PgUri[" + jdbcUrl + ", credentials: " + credentials.stringPropertyNames() + "]";
    }
}
