package io.lockkit.mem;

import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import io.lockkit.spi.Checks;
import java.util.Optional;

/** {@link VersionedUpdate} over a {@link MemStore}: linearizable, versions and fences survive delete. */
final class MemVersionedUpdate implements VersionedUpdate {
    private final MemBackend client;

    MemVersionedUpdate(MemBackend client) {
        this.client = client;
    }

    @Override
    public Optional<Versioned> read(String key) {
        return client.reply(client.store().read(client, Checks.key(key)), false);
    }

    @Override
    public Optional<Versioned> create(String key, byte[] value) {
        Checks.key(key);
        return client.reply(client.store().create(client, key, Checks.value(value), 0), true);
    }

    @Override
    public Optional<Versioned> create(String key, byte[] value, long fencingToken) {
        Checks.key(key);
        Checks.value(value);
        Checks.fencingToken(fencingToken);
        return client.reply(client.store().create(client, key, value, fencingToken), true);
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        return client.reply(client.store().compareAndSet(client, key, expectedVersion, Checks.value(value), 0), true);
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value, long fencingToken) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        Checks.value(value);
        Checks.fencingToken(fencingToken);
        return client.reply(client.store().compareAndSet(client, key, expectedVersion, value, fencingToken), true);
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        return client.reply(client.store().delete(client, key, expectedVersion, 0), true);
    }

    @Override
    public boolean delete(String key, long expectedVersion, long fencingToken) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        Checks.fencingToken(fencingToken);
        return client.reply(client.store().delete(client, key, expectedVersion, fencingToken), true);
    }
}
