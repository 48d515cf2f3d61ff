package io.lockkit.jdbc.internal;

import io.lockkit.spi.Uris;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A database's two URI forms, {@code jdbc:<db>://…} and {@code <db>://…}, taken apart by structure:
 * the JDBC URL with no credential and no lockkit option left in it, the credentials as driver
 * properties, and the lockkit options of its query. Users write passwords raw, so a password may
 * hold {@code /}, {@code #}, {@code ?} or {@code @} ({@link #userInfoEnd}); a secret query parameter
 * ({@code password}, any name ending in password, passwd, pass, pwd, secret, token, key or
 * credential(s)) runs to the next {@code &}. Both are percent-decoded only, never form-decoded
 * ({@code +} stays {@code +}). The driver, which may log the URL it is given, never sees them in it.
 *
 * <p>Each query parameter is a lockkit option (a name in the provider's list, which wins over a
 * driver property of the same name, {@code connectTimeout}), or one of the driver's own connection
 * properties, which stays in the URL for the driver (a secret one travels as a property), or
 * neither: then it is kept with the options, which reject it by name. What differs between
 * databases (the prefixes, the default port, which names the driver knows) is the dialect's;
 * the structure is shared ({@code PgUri} for PostgreSQL, {@code MariaDbUri} for MariaDB).
 * Stateless; thread-safe.
 */
public final class JdbcUri {
    private static final int MAX_PORT = 65_535;
    /** A host name or IPv4 address as the drivers take it; percent-escapes allowed. */
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9._~%\\-]+");

    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.\\-]*");

    /**
     * A URI taken apart.
     *
     * @param jdbcUrl the URL for the driver, without user info, secret parameters or lockkit options
     * @param credentials {@code user}, {@code password} and the driver's secret parameters, decoded,
     *     under the driver's names
     * @param options the query's parameters that are not the driver's, percent-decoded, in order:
     *     lockkit options, and unknown names (a secret-looking one with an empty value, its value
     *     never kept)
     * @param problems what is wrong with the query's parameters (given twice, a broken {@code %}
     *     escape, a host or port given as a parameter), each naming the parameter and never a secret
     */
    public record Parsed(String jdbcUrl, Properties credentials, Map<String, String> options, List<String> problems) {}

    private final String product;
    private final String jdbcPrefix;
    private final String urlPrefix;
    private final int defaultPort;
    private final Function<String, @Nullable String> driverProperties;
    private final Set<String> addressProperties;
    private final @Nullable UnaryOperator<String> noDatabase;

    /**
     * @param product the database's name in messages ({@code PostgreSQL})
     * @param jdbcPrefix {@code jdbc:postgresql:}
     * @param urlPrefix {@code postgresql://}
     * @param defaultPort the port messages name as the default
     * @param driverProperties the driver's own name for a query parameter's name, or null when the
     *     driver has no connection property of that name
     * @param addressProperties the driver's names for what the authority and path say (refused in the
     *     query)
     * @param noDatabase why a {@code jdbc:} URL needs a {@code /database} after its hosts, given the
     *     hosts; null when the driver takes a URL without one (then a {@code /} is added)
     */
    public JdbcUri(
            String product,
            String jdbcPrefix,
            String urlPrefix,
            int defaultPort,
            Function<String, @Nullable String> driverProperties,
            Set<String> addressProperties,
            @Nullable UnaryOperator<String> noDatabase) {
        this.product = product;
        this.jdbcPrefix = jdbcPrefix;
        this.urlPrefix = urlPrefix;
        this.defaultPort = defaultPort;
        this.driverProperties = driverProperties;
        this.addressProperties = addressProperties;
        this.noDatabase = noDatabase;
    }

    /**
     * Takes {@code uri} apart; {@code lockkitOptions} are the names its query may give to lockkit.
     *
     * @throws IllegalArgumentException when {@code uri} is not one of the two forms, or its hosts,
     *     ports or database path are malformed, or its hosts cannot be told from its user info;
     *     the message names the bad part and why, never a password
     */
    public Parsed parse(String uri, Collection<String> lockkitOptions) {
        String body;
        boolean libpq = uri.startsWith(urlPrefix);
        if (uri.startsWith(jdbcPrefix)) {
            body = uri.substring(jdbcPrefix.length());
        } else if (libpq) {
            body = "//" + uri.substring(urlPrefix.length());
        } else {
            throw bad(scheme(uri) + " is neither " + jdbcPrefix + " nor " + urlPrefix);
        }
        Properties credentials = new Properties();
        if (body.startsWith("//")) {
            int at = body.indexOf('@') < 0 ? -1 : userInfoEnd(body, libpq);
            int hostsStart = at >= 0 ? at + 1 : 2;
            int hostsEnd = hostsEnd(body, hostsStart);
            String hosts = body.substring(hostsStart, hostsEnd);
            checkHosts(hosts);
            if (hostsEnd == body.length() || body.charAt(hostsEnd) != '/') {
                if (!libpq && noDatabase != null) {
                    throw bad("no '/database' after the hosts '" + hosts + "': " + noDatabase.apply(hosts));
                }
                // the server's default database (PostgreSQL: the one named as the user; MariaDB: none)
                body = body.substring(0, hostsEnd) + "/" + body.substring(hostsEnd);
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
        String path = question < 0 ? body : body.substring(0, question);
        String database = body.startsWith("//") ? path.substring(path.indexOf('/', 2) + 1) : path;
        String escapes = badEscape(database);
        if (escapes != null) {
            throw bad("the database name '" + database + "' " + escapes);
        }
        Map<String, String> options = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        if (question < 0) {
            return new Parsed(jdbcPrefix + body, credentials, options, problems);
        }
        List<String> kept = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String parameter : body.substring(question + 1).split("&", -1)) {
            if (parameter.isEmpty()) {
                continue; // '&&' or a trailing '&'
            }
            int equals = parameter.indexOf('=');
            String rawName = equals < 0 ? parameter : parameter.substring(0, equals);
            String rawValue = equals < 0 ? "" : parameter.substring(equals + 1);
            String name = decode(rawName);
            boolean secret = isSecret(name);
            if (name.isEmpty()) {
                problems.add("a query parameter has no name ('=' first)");
                continue;
            }
            String nameEscapes = badEscape(rawName);
            if (nameEscapes != null) {
                problems.add("the query parameter name '" + rawName + "' " + nameEscapes);
                continue;
            }
            String driverName = driverProperties.apply(name);
            String key = driverName != null ? driverName : name;
            if (!seen.add(key)) {
                problems.add(name + " is given twice in the URI's query (give it once)");
                continue;
            }
            if (credentials.containsKey(key)) {
                problems.add(name + " is given both in the URI's user info and in its query (give it once)");
                continue;
            }
            if (secret) {
                if (driverName != null) {
                    credentials.setProperty(driverName, decode(rawValue));
                } else {
                    options.put(name, ""); // unknown, and rejected by name: its value is never kept
                }
                continue;
            }
            String valueEscapes = badEscape(rawValue);
            if (valueEscapes != null) {
                // the value is not shown: a parameter lockkit does not know may hold a secret
                problems.add("the value of " + name + " in the URI's query " + valueEscapes);
                continue;
            }
            if (lockkitOptions.contains(name)) {
                options.put(name, decode(rawValue));
            } else if (driverName != null && lockkitOptions.contains(driverName)) {
                options.put(driverName, decode(rawValue)); // the driver's spelling of a lockkit option's name
            } else if (driverName != null && addressProperties.contains(driverName)) {
                problems.add(name + " in the URI's query (the hosts, ports and database go in the URI's"
                        + " authority and path: " + jdbcPrefix + "//host:port/database)");
            } else if (driverName != null) {
                kept.add(parameter);
            } else {
                options.put(name, decode(rawValue)); // neither lockkit's nor the driver's: rejected by name
            }
        }
        return new Parsed(
                jdbcPrefix + path + (kept.isEmpty() ? "" : "?" + String.join("&", kept)),
                credentials,
                options,
                problems);
    }

    /**
     * Where the user info of {@code body} ({@code //…}) ends, or -1 when there is none. A password
     * may hold {@code /}, {@code ?}, {@code #} and {@code @} raw, and a query value may hold {@code
     * @}, so: the last {@code @} followed by a host list and a database path ({@code /}) ends it;
     * else the last {@code @} followed by a host list and the end, {@code ?} or {@code #}, unless a
     * {@code ?} comes before it (then the {@code @} could be a query value's); else the authority
     * read by the standard (up to the first {@code /}, {@code ?} or {@code #}) when it holds a valid
     * host list. When in doubt the text is taken for user info: it never reaches the driver's URL.
     */
    int userInfoEnd(String body, boolean libpq) {
        int lenient = Uris.userInfoEnd(body, 2);
        if (lenient >= 0) {
            int end = hostsEnd(body, lenient + 1);
            if (end < body.length() && body.charAt(end) == '/') {
                return lenient;
            }
        }
        if (lenient >= 0
                && body.lastIndexOf('?', lenient) < 0
                && hostProblem(body.substring(lenient + 1, hostsEnd(body, lenient + 1))) == null) {
            // '//u:1234/Secret@host' reads by the standard as host u, port 1234, database
            // 'Secret@host': the password would reach the driver's URL. An '@' followed by a host list,
            // with no '?' before it, ends the user info (a database name with '@' is written %40).
            return lenient;
        }
        int authorityEnd = hostsEnd(body, 2);
        int at = body.lastIndexOf('@', authorityEnd - 1);
        int standard = at >= 2 ? at : -1;
        String hosts = body.substring(standard >= 0 ? standard + 1 : 2, authorityEnd);
        if (hostProblem(hosts) == null) {
            return standard;
        }
        // The text before the first '/' may be a user name and part of a password: not shown.
        throw bad("its hosts cannot be told from its user info: the text after '//' up to the first '/', '?' or '#'"
                + " is no host[:port][,host[:port]…] list (a port is a number from 1 to 65535), and no '@' is"
                + " followed by one; if the password holds / ? # or @, percent-encode them (%2F %3F %23 %40)");
    }

    /** Throws naming the first bad host or port of {@code hosts} and why. */
    private void checkHosts(String hosts) {
        String problem = hostProblem(hosts);
        if (problem != null) {
            throw bad(problem);
        }
    }

    /**
     * What is wrong with {@code hosts} ({@code host[:port][,host[:port]…]}, a host being a name, an
     * IPv4 address or {@code [IPv6]}), naming the bad part; null when nothing is.
     */
    public @Nullable String hostProblem(String hosts) {
        if (hosts.isEmpty()) {
            return "no host after '//' (lockkit connects over TCP: name the host, such as //localhost:" + defaultPort
                    + "/app)";
        }
        for (String entry : hosts.split(",", -1)) {
            if (entry.isEmpty()) {
                return "an empty host in the host list '" + hosts + "'";
            }
            String host;
            String port;
            if (entry.startsWith("[")) {
                int close = entry.indexOf(']');
                if (close < 0) {
                    return "the IPv6 address in '" + entry + "' has no closing ']'";
                }
                host = entry.substring(1, close);
                if (!IPV6.matcher(host).matches()) {
                    return "'" + entry + "' is no IPv6 address in brackets (hex digits, ':' and '.')";
                }
                String rest = entry.substring(close + 1);
                if (!rest.isEmpty() && !rest.startsWith(":")) {
                    return "'" + rest + "' follows the IPv6 address in '" + entry + "' (expected ':port' or nothing)";
                }
                port = rest.isEmpty() ? null : rest.substring(1);
            } else {
                int colon = entry.indexOf(':');
                host = colon < 0 ? entry : entry.substring(0, colon);
                port = colon < 0 ? null : entry.substring(colon + 1);
                if (host.isEmpty()) {
                    return "no host before the port in '" + entry + "'";
                }
                if (!HOST_NAME.matcher(host).matches()) {
                    return "the host '" + host + "' holds a character a host name cannot (letters, digits, '.', '-',"
                            + " '_', '~' and %-escapes; an IPv6 address goes in brackets: [::1]:" + defaultPort + ")";
                }
            }
            if (port != null) {
                if (port.isEmpty()) {
                    return "the port of '" + entry + "' is empty (drop the ':' for the default, " + defaultPort + ")";
                }
                if (!port.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return "the port '" + port + "' of '" + entry + "' is not a number";
                }
                if (port.length() > 5 || Integer.parseInt(port) < 1 || Integer.parseInt(port) > MAX_PORT) {
                    return "the port " + port + " of '" + entry + "' is out of range (1 to " + MAX_PORT + ")";
                }
            }
        }
        return null;
    }

    /** The index of the first {@code /}, {@code ?} or {@code #} from {@code from}, or the length. */
    private static int hostsEnd(String s, int from) {
        int end = from;
        while (end < s.length() && "/?#".indexOf(s.charAt(end)) < 0) {
            end++;
        }
        return end;
    }

    public static boolean isSecret(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith("password")
                || n.endsWith("passwd")
                || n.endsWith("pass")
                || n.endsWith("pwd")
                || n.endsWith("secret")
                || n.endsWith("token")
                || n.endsWith("key")
                || n.endsWith("credential")
                || n.endsWith("credentials");
    }

    /** The scheme {@code uri} starts with, quoted, or a phrase when it has none: never more of it. */
    private static String scheme(String uri) {
        int colon = uri.indexOf(':');
        if (colon > 0 && SCHEME.matcher(uri.substring(0, colon)).matches()) {
            return "its scheme '" + uri.substring(0, colon) + ":'";
        }
        return "its start (it has no scheme)";
    }

    /** Why {@code s} is not well percent-encoded (a {@code %} not followed by two hex digits), or null. */
    private static @Nullable String badEscape(String s) {
        for (int i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) {
            if (i + 2 >= s.length()
                    || Character.digit(s.charAt(i + 1), 16) < 0
                    || Character.digit(s.charAt(i + 2), 16) < 0) {
                return "has a '%' that starts no %XX escape (write % as %25)";
            }
        }
        return null;
    }

    private IllegalArgumentException bad(String why) {
        return new IllegalArgumentException(
                "not a " + product + " URI (" + jdbcPrefix + "//host[:port]/database[?properties]"
                        + " or " + urlPrefix + "[user[:password]@]host[:port][/database][?properties]): " + why
                        + "; the rest of the URI is not shown, as it may hold a password");
    }

    /** Percent-decoding only: {@code %XX} becomes its byte, anything else (a {@code +}, a lone {@code %}) stays. */
    public static String decode(String s) {
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
}
