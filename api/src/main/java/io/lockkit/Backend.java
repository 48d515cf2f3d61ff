package io.lockkit;

import java.util.Set;

/**
 * One client of one store: a {@link JobLock} and a {@link VersionedUpdate} sharing its
 * connections. Thread-safe. {@link #close()} releases the client's resources; it does not release
 * leases (they expire by themselves, L4).
 */
public interface Backend extends AutoCloseable {
    /** A short name for tables and messages, such as {@code mem/timed} or {@code postgresql/table}. */
    String name();

    /** What this backend promises beyond the common contract. */
    Set<Capability> capabilities();

    /** True when {@link #capabilities()} contains {@code capability}. */
    default boolean has(Capability capability) {
        return capabilities().contains(capability);
    }

    JobLock jobLock();

    VersionedUpdate versionedUpdate();

    @Override
    void close();
}
