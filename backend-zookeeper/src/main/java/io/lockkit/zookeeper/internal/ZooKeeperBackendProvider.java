package io.lockkit.zookeeper.internal;

import io.lockkit.Backend;
import io.lockkit.spi.BackendProvider;
import io.lockkit.spi.Checks;
import io.lockkit.spi.Options;
import io.lockkit.zookeeper.ZooKeeperBackend;
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
 * authentication when the URI names a user. The password may contain any character ({@code /},
 * {@code #}, {@code ?}, {@code @} as they are; see {@link ZooKeeperUri}); it is percent-decoded
 * only, so {@code +} stays {@code +}, and no message shows it. Options, from the query or the map, not both: {@code
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
        ZooKeeperUri parsed = ZooKeeperUri.parse(uri);
        String hosts = parsed.hosts();
        String chroot = parsed.chroot();
        String userInfo = parsed.userInfo();

        List<String> bad = new ArrayList<>(checkHosts(hosts));
        if (chroot.startsWith("/") || chroot.endsWith("/") || chroot.contains("//")) {
            bad.add("chroot '/" + chroot + "' (expected /name[/name…])");
        }
        bad.addAll(parsed.problems());
        Map<String, String> all = new HashMap<>(options);
        for (String pair : parsed.query().split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = ZooKeeperUri.percentDecode(eq < 0 ? pair : pair.substring(0, eq));
            String v = ZooKeeperUri.percentDecode(eq < 0 ? "" : pair.substring(eq + 1));
            if (k == null || v == null) {
                bad.add("a query parameter with a bad percent escape");
            } else if (all.put(k, v) != null) {
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
            throw new IllegalArgumentException("bad ZooKeeper URI '" + parsed.shown() + "': " + String.join("; ", bad));
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
        return (int) Math.min(Integer.MAX_VALUE, Checks.saturatedNanos(d) / 1_000_000);
    }
}
