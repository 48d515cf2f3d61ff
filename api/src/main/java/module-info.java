/**
 * lockkit's API ({@code io.lockkit}), the SPI that backends implement ({@code io.lockkit.spi}) and
 * the in-process backend ({@code io.lockkit.mem}). Backends are found through {@link
 * java.util.ServiceLoader}: a backend module {@code provides io.lockkit.spi.BackendProvider}.
 */
module io.lockkit {
    requires static org.jspecify;

    exports io.lockkit;
    exports io.lockkit.spi;
    exports io.lockkit.mem;

    uses io.lockkit.spi.BackendProvider;

    provides io.lockkit.spi.BackendProvider with
            io.lockkit.mem.internal.MemBackendProvider;
}
