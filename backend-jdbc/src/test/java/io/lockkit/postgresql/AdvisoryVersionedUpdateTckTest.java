package io.lockkit.postgresql;

import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.VersionedUpdateTck;

/** The whole {@link VersionedUpdateTck} against clients of the advisory variant. */
class AdvisoryVersionedUpdateTckTest extends VersionedUpdateTck {
    @Override
    protected TckTarget createTarget() {
        return new PostgresTarget(Variant.ADVISORY);
    }
}
