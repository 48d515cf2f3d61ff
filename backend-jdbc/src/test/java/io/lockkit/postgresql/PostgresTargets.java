package io.lockkit.postgresql;

import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.tck.TargetFactory;
import io.lockkit.tck.TckTarget;

/** The three PostgreSQL variants for the race comparison, on the embedded (or named) test server. */
public final class PostgresTargets {
    private PostgresTargets() {}

    /** {@code postgresql/table}. */
    public static final class Table implements TargetFactory {
        @Override
        public String name() {
            return "postgresql/table";
        }

        @Override
        public TckTarget open() {
            return new PostgresTarget(Variant.TABLE);
        }
    }

    /** {@code postgresql/advisory}. */
    public static final class Advisory implements TargetFactory {
        @Override
        public String name() {
            return "postgresql/advisory";
        }

        @Override
        public TckTarget open() {
            return new PostgresTarget(Variant.ADVISORY);
        }
    }

    /** {@code postgresql/rowlock}. */
    public static final class RowLock implements TargetFactory {
        @Override
        public String name() {
            return "postgresql/rowlock";
        }

        @Override
        public TckTarget open() {
            return new PostgresTarget(Variant.ROWLOCK);
        }
    }
}
