package io.lockkit.mariadb;

import io.lockkit.tck.JobLockTck;
import io.lockkit.tck.TckTarget;
import io.lockkit.testkit.mariadb.MariaDbTarget;

/**
 * The whole {@link JobLockTck} against MariaDB's rowlock variant (the key's row locked by a
 * transaction pinned to the lease; the embedded server unless LOCKKIT_MARIADB_URL), its clients
 * opened by {@code LockKit.open} with {@code jdbc:mariadb:} URIs and {@code variant=rowlock}.
 */
class MariaDbRowLockJobLockTckTest extends JobLockTck {
    @Override
    protected TckTarget createTarget() {
        return new MariaDbTarget("rowlock");
    }
}
