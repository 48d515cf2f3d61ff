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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.common.PathUtils;

/**
 * {@code zookeeper://[user:password@]host:port[,host:port…][/chroot][?option=value&…]}, the scheme
 * in any case: a new Curator client of its own (closed with the backend), its namespace the chroot,
 * with digest authentication when the URI names a user. The password may contain any character
 * ({@code /}, {@code #}, {@code ?}, {@code @} as they are; see {@link ZooKeeperUri}); it is
 * percent-decoded only, so {@code +} stays {@code +}, and no message shows it. Options, from the
 * query or the map, not both (the table in the module's README): {@code sessionTimeout} (default
 * 10s), {@code timeout} (connection and E2 bound, default 5s, at most 1 day), {@code driftMargin}
 * (default 100ms), {@code root} (default /lockkit). Every bad part of the URI and every bad option
 * is named at once, with what was expected, before a client starts. Thread-safe.
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
            bad.add("chroot '/" + chroot + "' (expected /name[/name…], without an empty name or a trailing /)");
        } else if (!chroot.isEmpty()) {
            try {
                PathUtils.validatePath("/" + chroot);
            } catch (IllegalArgumentException e) {
                bad.add("chroot '/" + chroot + "' (" + e.getMessage() + ")");
            }
        }
        bad.addAll(parsed.problems());
        Map<String, String> all = new HashMap<>(options);
        Set<String> inUri = new HashSet<>();
        for (String pair : parsed.query().split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = ZooKeeperUri.percentDecode(eq < 0 ? pair : pair.substring(0, eq));
            String v = ZooKeeperUri.percentDecode(eq < 0 ? "" : pair.substring(eq + 1));
            if (k == null || v == null) {
                bad.add("a query parameter with a bad percent escape (write a % as %25)");
            } else if (!inUri.add(k)) {
                bad.add(k + " (given twice in the URI)");
            } else if (all.put(k, v) != null) {
                bad.add(k + " (given both in the URI and in the options map)");
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
        // The builder's own checks, here too so that every bad option is named at once and before a client starts.
        if (timeout.compareTo(ZooKeeperBackend.MAX_TIMEOUT) > 0) {
            bad.add("timeout=" + all.get("timeout") + " (expected at most 1 day)");
        }
        try {
            PathUtils.validatePath(root);
        } catch (IllegalArgumentException e) {
            bad.add("root=" + root + " (expected an absolute node path such as /lockkit: " + e.getMessage() + ")");
        }
        try {
            Checks.driftMargin(margin);
        } catch (IllegalArgumentException e) {
            bad.add(e.getMessage());
        }
        // E1: every lease is cut to the session timeout less the margin; with a margin above half of
        // it, a lease would be granted with less than half the session left, or already invalid,
        // while its node blocks the key for the whole lease (INCIDENTS.md row 26)
        if (margin.multipliedBy(2).compareTo(sessionTimeout) > 0) {
            bad.add("driftMargin=" + margin + " is more than half the sessionTimeout=" + sessionTimeout
                    + " (a lease lasts at most the session timeout less the margin)");
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

    /** A host name or IPv4 address, or a bracketed IPv6 address. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+\\]");

    private static List<String> checkHosts(String hosts) {
        List<String> bad = new ArrayList<>();
        if (hosts.isEmpty()) {
            bad.add("no host:port (expected zookeeper://host:port[,host:port…])");
            return bad;
        }
        for (String hostPort : hosts.split(",", -1)) {
            if (hostPort.isEmpty()) {
                bad.add("an empty host in the list (expected host:port,host:port…)");
                continue;
            }
            int colon = hostPort.lastIndexOf(':');
            if (colon < hostPort.lastIndexOf(']')) {
                colon = -1; // a colon inside [IPv6] is not the port's
            }
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            if (!HOST.matcher(host).matches()) {
                bad.add("host '" + host + "' (expected a host name, an IPv4 address or an [IPv6] address in"
                        + " brackets, then :port)");
            } else if (colon < 0) {
                bad.add("host '" + hostPort + "' has no port (expected host:port: ZooKeeper URIs have no default"
                        + " port; the usual one is 2181)");
            } else {
                String port = hostPort.substring(colon + 1);
                if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                    bad.add("port '" + port + "' of '" + hostPort + "' (expected a number from 1 to 65535)");
                }
            }
        }
        return bad;
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Checks.saturatedNanos(d) / 1_000_000);
    }
}
