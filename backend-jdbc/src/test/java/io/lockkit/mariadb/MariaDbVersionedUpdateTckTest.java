package io.lockkit.mariadb;

import io.lockkit.tck.TckTarget;
import io.lockkit.tck.VersionedUpdateTck;
import io.lockkit.testkit.mariadb.MariaDbTarget;

/**
 * The whole {@link VersionedUpdateTck} against MariaDB's versioned table (the embedded server unless
 * LOCKKIT_MARIADB_URL), its clients opened by {@code LockKit.open} with {@code jdbc:mariadb:} URIs.
 */
class MariaDbVersionedUpdateTckTest extends VersionedUpdateTck {
    @Override
    protected TckTarget createTarget() {
        return new MariaDbTarget("table");
    }
}
