/**
 * lockkit on Redis through Redisson: {@link io.lockkit.redis.RedisBackend}, and the {@code redis://} and
 * {@code rediss://} provider that {@link io.lockkit.LockKit#open(String)} finds. Redisson's module name is the
 * {@code Automatic-Module-Name} its jar declares, {@code redisson}; the public API takes a {@code RedissonClient},
 * hence {@code requires transitive}.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // redisson: a declared name, see above
module io.lockkit.redis {
    requires transitive io.lockkit;
    requires transitive redisson;
    // Redisson, an automatic module, cannot say what it needs at run time: its dependencies that are
    // explicit modules are required here, else a modular application would not resolve them and
    // Redisson would fail with NoClassDefFoundError (ModuleDescriptorTest opens a backend in a layer).
    requires org.slf4j;
    requires com.fasterxml.jackson.databind;
    requires static org.jspecify;

    exports io.lockkit.redis;

    provides io.lockkit.spi.BackendProvider with
            io.lockkit.redis.internal.RedisBackendProvider;
}
