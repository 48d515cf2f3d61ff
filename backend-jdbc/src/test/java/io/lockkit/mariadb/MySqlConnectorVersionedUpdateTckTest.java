package io.lockkit.mariadb;

import io.lockkit.tck.TckTarget;
import io.lockkit.tck.VersionedUpdateTck;
import io.lockkit.testkit.mariadb.MariaDbTarget;

/**
 * The whole {@link VersionedUpdateTck} against MariaDB's versioned table with MySQL Connector/J as the
 * user's driver ({@link MySqlConnectorJ}).
 */
class MySqlConnectorVersionedUpdateTckTest extends VersionedUpdateTck {
    @Override
    protected TckTarget createTarget() {
        return new MariaDbTarget("table", MySqlConnectorJ::open);
    }
}
