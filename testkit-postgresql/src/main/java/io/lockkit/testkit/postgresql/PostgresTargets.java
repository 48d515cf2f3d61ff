package io.lockkit.testkit.postgresql;

import io.lockkit.tck.TargetFactory;
import io.lockkit.tck.TckTarget;

/**
 * The three PostgreSQL variants for the race comparison ({@code ServiceLoader<TargetFactory>}), on
 * the embedded (or named) test server;
 * their clients connect straight (no proxy), as the peers they are compared with do.
 */
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
            return new PostgresTarget("table", false);
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
            return new PostgresTarget("advisory", false);
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
            return new PostgresTarget("rowlock", false);
        }
    }
}
