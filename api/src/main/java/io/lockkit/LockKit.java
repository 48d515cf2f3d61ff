package io.lockkit;

import io.lockkit.internal.Uris;
import io.lockkit.spi.BackendProvider;
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
     * {@code redis://}, {@code rediss://}, {@code zookeeper://}).
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
                    + (wanted == null ? "" : " with provider '" + wanted + "'") + "; " + discovery.describe());
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
        try {
            return winners.get(0).open(uri, Map.copyOf(rest));
        } catch (RuntimeException e) {
            throw Uris.scrubbed(e, uri, options);
        }
    }

    private static int longestPrefix(BackendProvider p, String uri) {
        return p.uriPrefixes().stream()
                .filter(uri::startsWith)
                .mapToInt(String::length)
                .max()
                .orElse(0);
    }
}
