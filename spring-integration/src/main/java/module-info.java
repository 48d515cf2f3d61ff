/**
 * A Spring Integration {@code LockRegistry} on any lockkit backend ({@link
 * io.lockkit.spring.integration.LockKitLockRegistry}). Its public API implements Spring Integration's
 * interfaces and hands out lockkit leases, hence {@code requires transitive} on both; Spring's module
 * names are the {@code Automatic-Module-Name}s their jars declare.
 */
@SuppressWarnings({"requires-transitive-automatic", "requires-automatic"})
module io.lockkit.spring.integration {
    requires transitive io.lockkit;
    requires transitive spring.integration.core;
    requires spring.context;
    requires static org.jspecify;

    exports io.lockkit.spring.integration;
}
