package io.lockkit.mariadb;

import io.lockkit.tck.JobLockTck;
import io.lockkit.tck.TckTarget;
import io.lockkit.testkit.mariadb.MariaDbTarget;

/**
 * The whole {@link JobLockTck} against MariaDB's lock table with MySQL Connector/J as the user's
 * driver ({@link MySqlConnectorJ}): every rule holds whichever of the two drivers the DataSource is.
 */
class MySqlConnectorJobLockTckTest extends JobLockTck {
    @Override
    protected TckTarget createTarget() {
        return new MariaDbTarget("table", MySqlConnectorJ::open);
    }
}
