package io.lockkit.spi;

import io.lockkit.Backend;
import java.util.Map;
import java.util.Set;

/**
 * A thin factory from a URI and options onto a backend's public builder, registered in {@code
 * META-INF/services/io.lockkit.spi.BackendProvider}. Implementations MUST be thread-safe and have
 * a public no-argument constructor.
 */
public interface BackendProvider {
    /** A short unique name, such as {@code mem} or {@code postgresql}. */
    String name();

    /** The URI prefixes this provider accepts, such as {@code redis://}. */
    Set<String> uriPrefixes();

    /**
     * Opens a backend. MUST reject unknown or malformed options with an {@link
     * IllegalArgumentException} naming every bad option and value at once, and MUST NOT put
     * credentials from the URI into any message.
     */
    Backend open(String uri, Map<String, String> options);
}
