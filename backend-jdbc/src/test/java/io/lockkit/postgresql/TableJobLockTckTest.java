package io.lockkit.postgresql;

import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.tck.JobLockTck;
import io.lockkit.tck.TckTarget;

/** The whole {@link JobLockTck} against the table variant. */
class TableJobLockTckTest extends JobLockTck {
    @Override
    protected TckTarget createTarget() {
        return new PostgresTarget(Variant.TABLE);
    }
}
