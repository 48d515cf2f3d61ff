package io.lockkit.race;

import io.lockkit.mem.MemBackend;
import io.lockkit.tck.MemTarget;
import io.lockkit.tck.TargetFactory;
import io.lockkit.tck.TckTarget;

/** The reference backend registered as a peer, on the test class path only: the comparison's peer path end to end. */
public final class PeerForTests implements TargetFactory {
    static final String NAME = "mem/peer-for-tests";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TckTarget open() {
        return new MemTarget(MemBackend.LeaseKind.TIMED);
    }

    @Override
    public boolean peer() {
        return true;
    }
}
