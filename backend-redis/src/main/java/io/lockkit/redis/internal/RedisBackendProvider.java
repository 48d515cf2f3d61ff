package io.lockkit.redis.internal;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.redis.RedisBackend;
import io.lockkit.spi.BackendProvider;
import io.lockkit.spi.Options;
import io.lockkit.spi.Uris;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.redisson.Redisson;
import org.redisson.config.Config;
import org.redisson.config.SingleServerConfig;
import org.redisson.config.TransportMode;

/**
 * {@code redis://[[user]:password@]host[:port][/database][?option=value&…]} and {@code rediss://…}
 * (TLS), the scheme in any case: a {@link RedisBackend} on a Redisson client of its own, which
 * {@link Backend#close()} shuts down. Options, from the query or the options map but not both (the
 * table in the module's README): {@code timeout}, {@code connectTimeout}, {@code driftMargin},
 * {@code prefix}, {@code evictionPolicyCheck} ({@code refuse|warn|off}), {@code persistent}
 * ({@code true|false}), {@code clientName} (what {@code CLIENT LIST} shows for its connections,
 * default {@code lockkit}), {@code transport} ({@code auto|epoll|nio}, see {@link Transport}). Every bad option is reported at once (E1), and every bad part of the URI
 * is named with what was expected. A server that cannot be reached within {@code timeout} is a
 * {@link BackendUnavailableException} naming {@code host:port}, why, and the options {@code
 * timeout} and {@code connectTimeout}. The URI is split by structure: the user info runs to the last
 * {@code @} followed by a host, so a password may hold {@code / # ? : @}; everything is
 * percent-decoded only ({@code +} stays {@code +}). Messages show the URI with its user info
 * replaced by {@code ***}, and Redisson is given the host and port alone, so no credential reaches a
 * message or a log. Thread-safe.
 */
public final class RedisBackendProvider implements BackendProvider {
    /** The default connect timeout of the Redisson client this provider creates. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /** What {@code CLIENT LIST} shows for the connections of the client this provider creates. */
    public static final String DEFAULT_CLIENT_NAME = "lockkit";

    private static final String TIMEOUT = "timeout";
    private static final String CONNECT_TIMEOUT = "connectTimeout";

    private enum Flag {
        TRUE,
        FALSE
    }

    /**
     * Netty's transport for the client: {@code auto} takes the native epoll transport where it loads
     * (Linux, with {@code netty-transport-native-epoll} on the class path, which this module brings
     * for x86_64 and aarch64), as Lettuce does, else Java's NIO. On the 2-core benchmark machine epoll
     * took a fifth off every round trip (bench/README.md, "Where Redis's time goes").
     */
    enum Transport {
        AUTO,
        EPOLL,
        NIO
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public Set<String> uriPrefixes() {
        return Set.of("redis://", "rediss://");
    }

    @Override
    public Backend open(String uri, Map<String, String> options) {
        Parsed parsed = Parsed.of(uri);
        List<String> bad = new ArrayList<>();
        Map<String, String> all = new HashMap<>(options);
        readQuery(parsed, options, all, bad);

        Options o = new Options("redis", all);
        Duration timeout = o.duration(TIMEOUT, RedisBackend.DEFAULT_TIMEOUT, false);
        Duration connectTimeout = o.duration(CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, false);
        Duration driftMargin = o.duration("driftMargin", RedisBackend.DEFAULT_DRIFT_MARGIN, true);
        String prefix = o.string("prefix", RedisBackend.DEFAULT_PREFIX);
        RedisBackend.EvictionPolicyCheck check = o.choice(
                "evictionPolicyCheck", RedisBackend.EvictionPolicyCheck.class, RedisBackend.EvictionPolicyCheck.REFUSE);
        boolean persistent = o.choice("persistent", Flag.class, Flag.FALSE) == Flag.TRUE;
        String clientName = o.string("clientName", DEFAULT_CLIENT_NAME);
        Transport transport = o.choice("transport", Transport.class, Transport.AUTO);
        try {
            o.validate();
        } catch (IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            String head = "bad options for redis: ";
            bad.add(m.startsWith(head) ? m.substring(head.length()) : m);
        }
        if (timeout.compareTo(RedisBackend.MAX_TIMEOUT) > 0) { // the builder's check, before a client starts
            bad.add(TIMEOUT + "=" + all.get(TIMEOUT) + " (expected at most 1 day)");
        }
        if (!clientName.matches("[!-~]+")) { // CLIENT SETNAME takes no spaces
            bad.add("clientName=" + clientName + " (expected printable ASCII, no spaces)");
        }
        String noEpoll = epollUnavailable();
        if (transport == Transport.EPOLL && noEpoll != null) {
            bad.add("transport=epoll (Netty's native epoll transport does not load here: " + noEpoll
                    + "; use transport=auto or nio)");
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException(
                    "bad options for redis in '" + parsed.redacted + "': " + String.join("; ", bad));
        }

        Config config = new Config();
        config.setLazyInitialization(true); // the first call, not construction, meets an unreachable server (E2)
        config.setTransportMode(
                transport == Transport.NIO || noEpoll != null ? TransportMode.NIO : TransportMode.EPOLL);
        SingleServerConfig server = config.useSingleServer()
                .setAddress(parsed.scheme + "://" + parsed.host + ":" + parsed.port)
                .setDatabase(parsed.database())
                .setConnectTimeout(millis(connectTimeout))
                .setTimeout(millis(timeout))
                .setRetryAttempts(0)
                .setConnectionMinimumIdleSize(1)
                .setClientName(clientName);
        parsed.credentials(server);
        var redisson = Redisson.create(config);
        try {
            return RedisBackend.builder(redisson)
                    .prefix(prefix)
                    .timeout(timeout)
                    .driftMargin(driftMargin)
                    .evictionPolicyCheck(check)
                    .persistent(persistent)
                    .shutdownClientOnClose(true)
                    .build();
        } catch (BackendUnavailableException e) {
            redisson.shutdown();
            throw new BackendUnavailableException(
                    "cannot open Redis at " + parsed.server() + ": " + Unreachable.reason(e) + "; gave up after "
                            + shown(all, TIMEOUT, timeout) + ", each connection attempt bounded by "
                            + shown(all, CONNECT_TIMEOUT, connectTimeout) + ". The option " + TIMEOUT
                            + " (default " + Unreachable.format(RedisBackend.DEFAULT_TIMEOUT)
                            + ") sets how long open and every call wait, " + CONNECT_TIMEOUT + " (default "
                            + Unreachable.format(DEFAULT_CONNECT_TIMEOUT) + ") one connection attempt: in the URI"
                            + " as ?timeout=10s, or in the options map",
                    e);
        } catch (RuntimeException e) {
            redisson.shutdown();
            throw e;
        }
    }

    /**
     * Why Netty's native epoll transport cannot be used here, or null when it can. Looked up by name,
     * so that this module does not need Netty's epoll classes to load: without them it runs on NIO.
     */
    public static @Nullable String epollUnavailable() {
        try {
            Class<?> epoll = Class.forName("io.netty.channel.epoll.Epoll");
            if (Boolean.TRUE.equals(epoll.getMethod("isAvailable").invoke(null))) {
                return null;
            }
            Object cause = epoll.getMethod("unavailabilityCause").invoke(null);
            return cause instanceof Throwable t ? String.valueOf(t.getMessage()) : "not available";
        } catch (ReflectiveOperationException | LinkageError e) {
            return "io.netty:netty-transport-native-epoll is not on the class path";
        }
    }

    /** {@code timeout=400ms} as the user wrote it, or {@code timeout=3s (the default)}. */
    private static String shown(Map<String, String> given, String name, Duration value) {
        String raw = given.get(name);
        return raw != null ? name + "=" + raw.trim() : name + "=" + Unreachable.format(value) + " (the default)";
    }

    /**
     * A Redis URI split by structure, not by java.net.URI: users write passwords raw, so the user
     * info runs from {@code //} to the <em>last</em> {@code @} that is followed by a host (a password
     * may hold {@code /}, {@code #}, {@code ?}, {@code @}); a query value holding {@code @} must then
     * be written {@code %40}. Every part is percent-decoded only: {@code +} stays {@code +}.
     */
    private record Parsed(
            String scheme,
            @Nullable String rawUserInfo,
            String host,
            int port,
            String path,
            @Nullable String rawQuery,
            String redacted) {
        /** What may stand between the user info and the path: host characters, IPv6 brackets, a port. */
        private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9._~%\\-\\[\\]:]*");

        /** A host name or IPv4 address, or a bracketed IPv6 address (with a zone id). */
        private static final Pattern HOST =
                Pattern.compile("[A-Za-z0-9._~%\\-]+|\\[[0-9A-Fa-f:.]+(%[A-Za-z0-9._~\\-]+)?\\]");

        private static final String EXPECTED_HOST = "expected a host name, an IPv4 address or an [IPv6] address";

        static Parsed of(String uri) {
            int slashes = uri.indexOf("://");
            String written = slashes < 0 ? "" : uri.substring(0, slashes);
            // Schemes are case-insensitive (RFC 3986 3.1): Redis:// and REDISS:// are Redis URIs.
            String scheme = written.toLowerCase(Locale.ROOT);
            if (!scheme.equals("redis") && !scheme.equals("rediss")) {
                throw new IllegalArgumentException("not a Redis URI: '" + Uris.redact(uri)
                        + "'; expected redis://[[user]:password@]host[:port][/database][?option=value&…]");
            }
            int start = slashes + 3;
            int at = Uris.userInfoEnd(uri, start); // the last '@' followed by a host
            if (at < 0 && uri.indexOf('@', start) >= 0) {
                // Some '@' but no host after any: where a password would end is unknown, so show nothing.
                throw new IllegalArgumentException("malformed Redis URI '" + written
                        + "://***': no host[:port] follows its last '@' (" + EXPECTED_HOST
                        + ", then :port; write an '@' in an option as %40)");
            }
            String rawUserInfo = at < 0 ? null : uri.substring(start, at);
            int hostStart = at < 0 ? start : at + 1;
            // Everything after the user info is shown as it is: it holds no credentials.
            String redacted = written + "://" + (at < 0 ? "" : "***@") + Uris.redact(uri.substring(hostStart));
            int authorityEnd = end(uri, hostStart, "/?#");
            int pathEnd = end(uri, authorityEnd, "?#");
            int queryEnd = end(uri, pathEnd, "#");
            String rawQuery = pathEnd < queryEnd ? uri.substring(pathEnd + 1, queryEnd) : null;
            String authority = uri.substring(hostStart, authorityEnd);
            if (!HOST_PORT.matcher(authority).matches()) {
                throw new IllegalArgumentException(
                        "bad host '" + authority + "' in '" + redacted + "': " + EXPECTED_HOST + ", then :port");
            }
            int colon = authority.lastIndexOf(':');
            if (colon < authority.lastIndexOf(']')) {
                colon = -1; // a colon inside [IPv6] is not the port's
            }
            String host = colon < 0 ? authority : authority.substring(0, colon);
            if (host.isEmpty() || host.equals("[]")) {
                throw new IllegalArgumentException("no host in '" + redacted + "'; expected " + written
                        + "://[[user]:password@]host[:port][/database]");
            }
            if (!HOST.matcher(host).matches()) {
                throw new IllegalArgumentException("bad host '" + authority + "' in '" + redacted + "': "
                        + EXPECTED_HOST + ", then :port (an IPv6 address must be in brackets)");
            }
            int port = 6379;
            if (colon >= 0) {
                String p = authority.substring(colon + 1);
                port = p.matches("[0-9]{1,5}") ? Integer.parseInt(p) : -1;
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException(
                            "bad port '" + p + "' in '" + redacted + "'; expected a number from 1 to 65535");
                }
            }
            Parsed parsed = new Parsed(
                    scheme, rawUserInfo, host, port, uri.substring(authorityEnd, pathEnd), rawQuery, redacted);
            parsed.database(); // a bad database is a bad URI, reported before any option
            return parsed;
        }

        /** {@code redis://***@host:port}: the server, with no credential and no option. */
        String server() {
            return scheme + "://" + (rawUserInfo == null ? "" : "***@") + host + ":" + port;
        }

        /** The first index from {@code from} of one of {@code stops}, or the length. */
        private static int end(String s, int from, String stops) {
            int i = from;
            while (i < s.length() && stops.indexOf(s.charAt(i)) < 0) {
                i++;
            }
            return i;
        }

        int database() {
            if (path.isEmpty() || path.equals("/")) {
                return 0;
            }
            String db = path.substring(1);
            if (db.matches("[0-9]{1,9}")) {
                return Integer.parseInt(db);
            }
            throw new IllegalArgumentException("bad database '" + db + "' in '" + redacted
                    + "'; expected a number from 0 to 999999999, below the server's 'databases' (16 by default)");
        }

        /** {@code user:password}, {@code :password}, or {@code password} alone, as redis-cli -u reads them. */
        void credentials(SingleServerConfig server) {
            if (rawUserInfo == null || rawUserInfo.isEmpty()) {
                return;
            }
            int colon = rawUserInfo.indexOf(':');
            if (colon < 0) {
                server.setPassword(decode(rawUserInfo, "the password"));
                return;
            }
            String user = decode(rawUserInfo.substring(0, colon), "the user name");
            if (!user.isEmpty()) {
                server.setUsername(user);
            }
            server.setPassword(decode(rawUserInfo.substring(colon + 1), "the password"));
        }

        /** Percent-decoding (RFC 3986) of UTF-8; never form decoding, so {@code +} stays {@code +}. */
        String decode(String s, String what) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] != '%') {
                    out.write(bytes[i]);
                    continue;
                }
                int hi = i + 2 < bytes.length ? Character.digit(bytes[i + 1], 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(bytes[i + 2], 16);
                if (lo < 0) {
                    // Not the value: it may be a password.
                    throw new IllegalArgumentException(
                            "bad percent-escape in " + what + " of '" + redacted + "': write a % as %25");
                }
                out.write(hi * 16 + lo);
                i += 2;
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** The query's options into {@code into}; an option given twice, or also in the map, into {@code bad}. */
    private static void readQuery(
            Parsed parsed, Map<String, String> fromMap, Map<String, String> into, List<String> bad) {
        if (parsed.rawQuery == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (String pair : parsed.rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = parsed.decode(eq < 0 ? pair : pair.substring(0, eq), "an option name");
            String v = eq < 0 ? "" : parsed.decode(pair.substring(eq + 1), "option " + k);
            if (!seen.add(k)) {
                bad.add(k + " (given twice in the URI)");
            } else if (fromMap.containsKey(k)) {
                bad.add(k + " (given both in the URI and in the options map)");
            }
            into.put(k, v);
        }
    }

    /** Whole ms for Redisson, at least 1: a positive duration below 1 ms must not become Redisson's 0. */
    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }
}
