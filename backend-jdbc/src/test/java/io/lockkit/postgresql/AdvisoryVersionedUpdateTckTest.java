package io.lockkit.postgresql;

import io.lockkit.tck.TckTarget;
import io.lockkit.tck.VersionedUpdateTck;
import io.lockkit.testkit.postgresql.PostgresTarget;

/** The whole {@link VersionedUpdateTck} against clients of the advisory variant. */
class AdvisoryVersionedUpdateTckTest extends VersionedUpdateTck {
    @Override
    protected TckTarget createTarget() {
        return new PostgresTarget("advisory");
    }
}
