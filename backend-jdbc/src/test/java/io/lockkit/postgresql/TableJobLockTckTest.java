package io.lockkit.postgresql;

import io.lockkit.tck.JobLockTck;
import io.lockkit.tck.TckTarget;
import io.lockkit.testkit.postgresql.PostgresTarget;

/** The whole {@link JobLockTck} against the table variant. */
class TableJobLockTckTest extends JobLockTck {
    @Override
    protected TckTarget createTarget() {
        return new PostgresTarget("table");
    }
}
