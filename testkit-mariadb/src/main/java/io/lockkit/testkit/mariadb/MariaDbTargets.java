package io.lockkit.testkit.mariadb;

import io.lockkit.LockKit;
import io.lockkit.tck.TargetFactory;
import io.lockkit.tck.TckTarget;

/**
 * MariaDB's variants for the race comparison ({@code ServiceLoader<TargetFactory>}), on the embedded
 * (or named) test server, opened through {@code LockKit.open} as an application would; their clients
 * connect straight (no proxy), as the peers they are compared with do.
 */
public final class MariaDbTargets {
    private MariaDbTargets() {}

    /** {@code mariadb/table}. */
    public static final class Table implements TargetFactory {
        @Override
        public String name() {
            return "mariadb/table";
        }

        @Override
        public TckTarget open() {
            return new MariaDbTarget("table", false, LockKit::open);
        }
    }

    /** {@code mariadb/advisory}. */
    public static final class Advisory implements TargetFactory {
        @Override
        public String name() {
            return "mariadb/advisory";
        }

        @Override
        public TckTarget open() {
            return new MariaDbTarget("advisory", false, LockKit::open);
        }
    }

    /** {@code mariadb/rowlock}. */
    public static final class RowLock implements TargetFactory {
        @Override
        public String name() {
            return "mariadb/rowlock";
        }

        @Override
        public TckTarget open() {
            return new MariaDbTarget("rowlock", false, LockKit::open);
        }
    }
}
