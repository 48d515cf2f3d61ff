package io.lockkit.race;

import io.lockkit.mem.MemBackend;
import io.lockkit.tck.MemTarget;
import io.lockkit.tck.TargetFactory;
import io.lockkit.tck.TckTarget;

/** The reference backend in both lease kinds. */
public final class MemTargets {
    private MemTargets() {}

    /** {@code mem/timed}. */
    public static final class Timed implements TargetFactory {
        @Override
        public String name() {
            return "mem/timed";
        }

        @Override
        public TckTarget open() {
            return new MemTarget(MemBackend.LeaseKind.TIMED);
        }
    }

    /** {@code mem/session}. */
    public static final class Session implements TargetFactory {
        @Override
        public String name() {
            return "mem/session";
        }

        @Override
        public TckTarget open() {
            return new MemTarget(MemBackend.LeaseKind.SESSION);
        }
    }
}
