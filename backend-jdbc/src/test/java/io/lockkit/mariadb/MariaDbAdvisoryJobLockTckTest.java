package io.lockkit.mariadb;

import io.lockkit.tck.JobLockTck;
import io.lockkit.tck.TckTarget;
import io.lockkit.testkit.mariadb.MariaDbTarget;

/**
 * The whole {@link JobLockTck} against MariaDB's advisory variant ({@code GET_LOCK} on a session
 * pinned to the lease; the embedded server unless LOCKKIT_MARIADB_URL), its clients opened by {@code
 * LockKit.open} with {@code jdbc:mariadb:} URIs and {@code variant=advisory}.
 */
class MariaDbAdvisoryJobLockTckTest extends JobLockTck {
    @Override
    protected TckTarget createTarget() {
        return new MariaDbTarget("advisory");
    }
}
