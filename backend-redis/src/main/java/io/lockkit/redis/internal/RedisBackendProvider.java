package io.lockkit.redis.internal;

import io.lockkit.Backend;
import io.lockkit.internal.Uris;
import io.lockkit.redis.RedisBackend;
import io.lockkit.spi.BackendProvider;
import io.lockkit.spi.Options;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.redisson.Redisson;
import org.redisson.config.Config;
import org.redisson.config.SingleServerConfig;

/**
 * {@code redis://[[user]:password@]host[:port][/database][?option=value&…]} and {@code rediss://…}
 * (TLS): a {@link RedisBackend} on a Redisson client of its own, which {@link Backend#close()}
 * shuts down. Options, from the query or the options map but not both: {@code timeout},
 * {@code connectTimeout}, {@code driftMargin}, {@code prefix}, {@code evictionPolicyCheck}
 * ({@code refuse|warn|off}), {@code persistent} ({@code true|false}). Every bad option is reported
 * at once (E1); credentials never appear in a message. Thread-safe.
 */
public final class RedisBackendProvider implements BackendProvider {
    /** The default connect timeout of the Redisson client this provider creates. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);

    private enum Flag {
        TRUE,
        FALSE
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
        URI parsed = parse(uri);
        Map<String, String> all = new HashMap<>(options);
        readQuery(parsed.getRawQuery(), all);

        Options o = new Options("redis", all);
        Duration timeout = o.duration("timeout", RedisBackend.DEFAULT_TIMEOUT, false);
        Duration connectTimeout = o.duration("connectTimeout", DEFAULT_CONNECT_TIMEOUT, false);
        Duration driftMargin = o.duration("driftMargin", RedisBackend.DEFAULT_DRIFT_MARGIN, true);
        String prefix = o.string("prefix", RedisBackend.DEFAULT_PREFIX);
        RedisBackend.EvictionPolicyCheck check = o.choice(
                "evictionPolicyCheck", RedisBackend.EvictionPolicyCheck.class, RedisBackend.EvictionPolicyCheck.REFUSE);
        boolean persistent = o.choice("persistent", Flag.class, Flag.FALSE) == Flag.TRUE;
        o.validate();

        Config config = new Config();
        config.setLazyInitialization(true); // the first call, not construction, meets an unreachable server (E2)
        SingleServerConfig server = config.useSingleServer()
                .setAddress(parsed.getScheme() + "://" + parsed.getHost() + ":"
                        + (parsed.getPort() < 0 ? 6379 : parsed.getPort()))
                .setDatabase(database(parsed, uri))
                .setConnectTimeout(millis(connectTimeout))
                .setTimeout(millis(timeout))
                .setRetryAttempts(0)
                .setConnectionMinimumIdleSize(1)
                .setClientName("lockkit");
        credentials(parsed.getRawUserInfo(), server);
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
        } catch (RuntimeException e) {
            redisson.shutdown();
            throw e;
        }
    }

    private static URI parse(String uri) {
        try {
            URI parsed = new URI(uri);
            if (parsed.getHost() == null) {
                throw new IllegalArgumentException(
                        "no host in '" + Uris.redact(uri) + "'; expected redis://host[:port][/database]");
            }
            return parsed;
        } catch (URISyntaxException e) {
            // The exception's own message would repeat the URI with its credentials.
            throw new IllegalArgumentException("malformed Redis URI '" + Uris.redact(uri) + "': " + e.getReason());
        }
    }

    private static int database(URI parsed, String uri) {
        String path = parsed.getPath() == null ? "" : parsed.getPath();
        if (path.isEmpty() || path.equals("/")) {
            return 0;
        }
        try {
            int db = Integer.parseInt(path.substring(1));
            if (db >= 0) {
                return db;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(
                "bad database '" + path.substring(1) + "' in '" + Uris.redact(uri) + "'; expected a number ≥ 0");
    }

    private static void credentials(String rawUserInfo, SingleServerConfig server) {
        if (rawUserInfo == null || rawUserInfo.isEmpty()) {
            return;
        }
        int colon = rawUserInfo.indexOf(':');
        if (colon < 0) {
            server.setPassword(decode(rawUserInfo)); // redis://secret@host, as redis-cli -u reads it
            return;
        }
        String user = decode(rawUserInfo.substring(0, colon));
        if (!user.isEmpty()) {
            server.setUsername(user);
        }
        server.setPassword(decode(rawUserInfo.substring(colon + 1)));
    }

    private static void readQuery(String rawQuery, Map<String, String> into) {
        if (rawQuery == null) {
            return;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (into.put(k, v) != null) {
                throw new IllegalArgumentException("bad options for redis: " + k + " is given twice");
            }
        }
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
