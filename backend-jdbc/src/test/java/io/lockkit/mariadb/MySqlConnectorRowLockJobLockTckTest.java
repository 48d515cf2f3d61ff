package io.lockkit.mariadb;

import io.lockkit.tck.JobLockTck;
import io.lockkit.tck.TckTarget;
import io.lockkit.testkit.mariadb.MariaDbTarget;

/**
 * The whole {@link JobLockTck} against MariaDB's rowlock variant with MySQL Connector/J as the user's
 * driver ({@link MySqlConnectorJ}): the variant that switches its sessions' autocommit and isolation
 * must not lean on how MariaDB Connector/J tracks them.
 */
class MySqlConnectorRowLockJobLockTckTest extends JobLockTck {
    @Override
    protected TckTarget createTarget() {
        return new MariaDbTarget("rowlock", MySqlConnectorJ::open);
    }
}
