package io.lockkit.zookeeper.internal;

import io.lockkit.Backend;
import io.lockkit.internal.Uris;
import io.lockkit.spi.BackendProvider;
import io.lockkit.spi.Options;
import io.lockkit.zookeeper.ZooKeeperBackend;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * {@code zookeeper://[user:password@]host:port[,host:port…][/chroot][?option=value&…]}: a new
 * Curator client of its own (closed with the backend), its namespace the chroot, with digest
 * authentication when the URI names a user. Options, from the query or the map, not both: {@code
 * sessionTimeout} (default 10s), {@code timeout} (connection and E2 bound, default 5s), {@code
 * driftMargin} (default 100ms), {@code root} (default /lockkit). Thread-safe.
 */
public final class ZooKeeperBackendProvider implements BackendProvider {
    static final String PREFIX = "zookeeper://";
    /** Session timeout asked of the server; it may negotiate it into its own bounds. */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);

    @Override
    public String name() {
        return "zookeeper";
    }

    @Override
    public Set<String> uriPrefixes() {
        return Set.of(PREFIX);
    }

    @Override
    public Backend open(String uri, Map<String, String> options) {
        String shown = Uris.redact(uri);
        String rest = uri.substring(PREFIX.length());
        int q = rest.indexOf('?');
        String query = q < 0 ? "" : rest.substring(q + 1);
        String authority = q < 0 ? rest : rest.substring(0, q);
        int slash = authority.indexOf('/');
        String chroot = slash < 0 ? "" : authority.substring(slash + 1);
        String hosts = slash < 0 ? authority : authority.substring(0, slash);
        String userInfo = "";
        int at = hosts.lastIndexOf('@');
        if (at >= 0) {
            userInfo = decode(hosts.substring(0, at));
            hosts = hosts.substring(at + 1);
        }

        List<String> bad = new ArrayList<>(checkHosts(hosts));
        if (chroot.startsWith("/") || chroot.endsWith("/") || chroot.contains("//")) {
            bad.add("chroot '/" + chroot + "' (expected /name[/name…])");
        }
        if (!userInfo.isEmpty() && !userInfo.contains(":")) {
            bad.add("user info (expected user:password)");
        }
        Map<String, String> all = new HashMap<>(options);
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (all.put(k, eq < 0 ? "" : decode(pair.substring(eq + 1))) != null) {
                bad.add(k + " (given twice)");
            }
        }
        Options o = new Options("zookeeper", all);
        Duration sessionTimeout = o.duration("sessionTimeout", DEFAULT_SESSION_TIMEOUT, false);
        Duration timeout = o.duration("timeout", ZooKeeperBackend.DEFAULT_TIMEOUT, false);
        Duration margin = o.duration("driftMargin", ZooKeeperBackend.DEFAULT_DRIFT_MARGIN, true);
        String root = o.string("root", ZooKeeperBackend.DEFAULT_ROOT);
        try {
            o.validate();
        } catch (IllegalArgumentException e) {
            bad.add(e.getMessage());
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("bad ZooKeeper URI '" + shown + "': " + String.join("; ", bad));
        }

        CuratorFrameworkFactory.Builder curator = CuratorFrameworkFactory.builder()
                .connectString(hosts)
                .sessionTimeoutMs(millis(sessionTimeout))
                .connectionTimeoutMs(millis(timeout))
                .retryPolicy(new ExponentialBackoffRetry(100, 3));
        if (!chroot.isEmpty()) {
            curator.namespace(chroot);
        }
        if (!userInfo.isEmpty()) {
            curator.authorization("digest", userInfo.getBytes(StandardCharsets.UTF_8));
        }
        CuratorFramework client = curator.build();
        client.start();
        try {
            return ZooKeeperBackend.builder(client)
                    .root(root)
                    .timeout(timeout)
                    .driftMargin(margin)
                    .closeClientOnClose(true)
                    .build();
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private static List<String> checkHosts(String hosts) {
        List<String> bad = new ArrayList<>();
        if (hosts.isEmpty()) {
            bad.add("no host:port");
        }
        for (String hostPort : hosts.split(",", -1)) {
            int colon = hostPort.lastIndexOf(':');
            String port = colon < 0 ? "" : hostPort.substring(colon + 1);
            boolean ok = colon > 0 && port.matches("\\d{1,5}") && Integer.parseInt(port) <= 65535;
            if (!ok && !hosts.isEmpty()) {
                bad.add("host '" + hostPort + "' (expected host:port)");
            }
        }
        return bad;
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
