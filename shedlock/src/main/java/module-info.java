/**
 * ShedLock's {@code LockProvider} on any lockkit backend ({@link io.lockkit.shedlock.LockKitLockProvider}).
 * Its public API implements ShedLock's interfaces and hands out lockkit leases, hence {@code requires
 * transitive} on both.
 */
module io.lockkit.shedlock {
    requires transitive io.lockkit;
    requires transitive net.javacrumbs.shedlock.core;
    requires static org.jspecify;

    exports io.lockkit.shedlock;
}
