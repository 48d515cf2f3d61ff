package io.lockkit.mariadb;

import io.lockkit.tck.JobLockTck;
import io.lockkit.tck.TckTarget;
import io.lockkit.testkit.mariadb.MariaDbTarget;

/**
 * The whole {@link JobLockTck} against MariaDB's lock table (the embedded server unless
 * LOCKKIT_MARIADB_URL), its clients opened by {@code LockKit.open} with {@code jdbc:mariadb:} URIs.
 */
class MariaDbTableJobLockTckTest extends JobLockTck {
    @Override
    protected TckTarget createTarget() {
        return new MariaDbTarget("table");
    }
}
