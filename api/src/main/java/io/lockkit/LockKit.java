package io.lockkit;

import io.lockkit.spi.BackendProvider;
import io.lockkit.spi.Uris;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Opens a {@link Backend} by URI, choosing among the {@link BackendProvider}s found through
 * {@link ServiceLoader}: the provider with the longest matching URI prefix wins. Two providers for
 * that prefix (unless the option {@value #PROVIDER_OPTION} names one), or none, is an error that
 * lists every provider found; a provider that fails to load is reported and skipped. Credentials in
 * the URI never appear in a message.
 */
public final class LockKit {
    /** Option naming the provider to use when several accept the same prefix. */
    public static final String PROVIDER_OPTION = "provider";

    private LockKit() {}

    /** {@link #open(String, Map)} without options. */
    public static Backend open(String uri) {
        return open(uri, Map.of());
    }

    /**
     * Opens a backend for {@code uri} ({@code mem:}, {@code jdbc:postgresql:}, {@code postgresql://},
     * {@code jdbc:mariadb:}, {@code mariadb://}, {@code redis://}, {@code rediss://}, {@code
     * zookeeper://}).
     *
     * @throws IllegalArgumentException when no provider accepts the URI, or the options are bad (E1)
     * @throws IllegalStateException when several providers accept it equally
     */
    public static Backend open(String uri, Map<String, String> options) {
        return open(uri, options, load(ServiceLoader.load(BackendProvider.class)));
    }

    /** The providers found on the class path, and those that failed to load. */
    public static Discovery discover() {
        return load(ServiceLoader.load(BackendProvider.class));
    }

    /** What {@link ServiceLoader} found: loaded providers, and one message per provider that failed. */
    public record Discovery(List<BackendProvider> providers, List<String> failures) {
        public Discovery {
            providers = List.copyOf(providers);
            failures = List.copyOf(failures);
        }

        String describe() {
            String found = providers.isEmpty()
                    ? "none"
                    : providers.stream()
                            .map(p -> p.name() + " "
                                    + p.uriPrefixes().stream().sorted().toList())
                            .collect(Collectors.joining(", "));
            return "providers found: " + found + (failures.isEmpty() ? "" : "; failed to load: " + failures);
        }
    }

    static Discovery load(Iterable<BackendProvider> loader) {
        List<BackendProvider> found = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Iterator<BackendProvider> it = loader.iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                failures.add(String.valueOf(e.getMessage()));
                System.getLogger(LockKit.class.getName())
                        .log(System.Logger.Level.WARNING, "a lockkit backend provider failed to load", e);
            }
        }
        return new Discovery(found, failures);
    }

    static Backend open(String uri, Map<String, String> options, Discovery discovery) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(options, "options");
        String shown = Uris.redact(uri);
        String wanted = options.get(PROVIDER_OPTION);
        List<BackendProvider> candidates = discovery.providers().stream()
                .filter(p -> wanted == null || p.name().equals(wanted))
                .filter(p -> longestPrefix(p, uri) > 0)
                .toList();
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no lockkit backend accepts '" + shown + "'"
                    + (wanted == null ? "" : " with provider '" + wanted + "'") + hint(uri, discovery) + "; "
                    + discovery.describe());
        }
        int best =
                candidates.stream().mapToInt(p -> longestPrefix(p, uri)).max().orElseThrow();
        List<BackendProvider> winners = candidates.stream()
                .filter(p -> longestPrefix(p, uri) == best)
                .sorted(Comparator.comparing(BackendProvider::name))
                .toList();
        if (winners.size() > 1) {
            throw new IllegalStateException("several lockkit backends accept '" + shown + "': "
                    + winners.stream().map(BackendProvider::name).toList() + "; choose one with the option '"
                    + PROVIDER_OPTION + "'; " + discovery.describe());
        }
        Map<String, String> rest = new java.util.HashMap<>(options);
        rest.remove(PROVIDER_OPTION);
        // Schemes are case-insensitive (RFC 3986 §3.1): the provider sees its own spelling.
        String canonical = winners.get(0).uriPrefixes().stream()
                .filter(prefix -> prefix.length() == best && uri.regionMatches(true, 0, prefix, 0, best))
                .findFirst()
                .map(prefix -> prefix + uri.substring(best))
                .orElse(uri);
        try {
            return winners.get(0).open(canonical, Map.copyOf(rest));
        } catch (RuntimeException e) {
            throw Uris.scrubbed(e, uri, options);
        }
    }

    /**
     * The URI prefixes of lockkit's own backends, with the artifact that serves each, for a message
     * when the jar is missing.
     */
    private static final Map<String, String> ARTIFACTS = Map.of(
            "mem:", "io.lockkit:lockkit-api",
            "jdbc:postgresql:", "io.lockkit:lockkit-backend-jdbc",
            "postgresql://", "io.lockkit:lockkit-backend-jdbc",
            "jdbc:mariadb:", "io.lockkit:lockkit-backend-jdbc",
            "mariadb://", "io.lockkit:lockkit-backend-jdbc",
            "redis://", "io.lockkit:lockkit-backend-redis",
            "rediss://", "io.lockkit:lockkit-backend-redis",
            "zookeeper://", "io.lockkit:lockkit-backend-zookeeper");

    /** Spellings users bring from other tools, and the prefix lockkit reads them as ("": none yet). */
    private static final Map<String, String> ALIASES = Map.of(
            "postgres://", "postgresql://",
            "jdbc:postgres://", "jdbc:postgresql://",
            "pg://", "postgresql://",
            "zk://", "zookeeper://",
            "memory:", "mem:",
            "jdbc:mysql:", "",
            "mysql://", "");

    /**
     * What the user may have meant: a known backend whose jar is missing, a spelling of another
     * tool, or a prefix one or two letters away. Empty when nothing fits.
     */
    static String hint(String uri, Discovery discovery) {
        for (Map.Entry<String, String> known : ARTIFACTS.entrySet()) {
            String prefix = known.getKey();
            boolean served = discovery.providers().stream()
                    .anyMatch(p -> p.uriPrefixes().stream().anyMatch(prefix::equalsIgnoreCase));
            if (!served && uri.regionMatches(true, 0, prefix, 0, prefix.length())) {
                return ": '" + prefix + "' is served by " + known.getValue()
                        + ", which is not on the class path (add it to your dependencies)";
            }
        }
        for (Map.Entry<String, String> alias : ALIASES.entrySet()) {
            String from = alias.getKey();
            if (uri.regionMatches(true, 0, from, 0, from.length())) {
                String to = alias.getValue();
                return to.isEmpty()
                        ? ": '" + from + "' is not supported yet; lockkit's backends serve "
                                + new java.util.TreeSet<>(ARTIFACTS.keySet())
                        : ": did you mean '" + to + "'?";
            }
        }
        int colon = uri.indexOf(':');
        if (colon > 0) {
            String scheme = uri.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
            String closest = null;
            int distance = Integer.MAX_VALUE;
            for (BackendProvider p : discovery.providers()) {
                for (String prefix : p.uriPrefixes()) {
                    int end = prefix.indexOf(':');
                    String theirs = end < 0 ? prefix : prefix.substring(0, end);
                    int d = editDistance(scheme, theirs);
                    // a typo: about one edit in three letters, at least one, at most three
                    if (d > 0 && d <= Math.max(1, Math.min(3, theirs.length() / 3)) && d < distance) {
                        distance = d;
                        closest = prefix;
                    }
                }
            }
            if (closest != null) {
                return ": did you mean '" + closest + "'?";
            }
        }
        return "";
    }

    private static int editDistance(String a, String b) {
        int[] row = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            row[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int above = row[j];
                row[j] = Math.min(
                        Math.min(row[j] + 1, row[j - 1] + 1), diagonal + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.length()];
    }

    private static int longestPrefix(BackendProvider p, String uri) {
        return p.uriPrefixes().stream()
                .filter(prefix -> uri.regionMatches(true, 0, prefix, 0, prefix.length()))
                .mapToInt(String::length)
                .max()
                .orElse(0);
    }
}
