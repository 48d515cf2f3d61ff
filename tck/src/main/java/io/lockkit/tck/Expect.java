package io.lockkit.tck;

import java.util.function.Supplier;

/** Failures for a step that must succeed in a correct backend, worded for the backend's author. */
final class Expect {
    private Expect() {}

    /** For {@code orElseThrow}: {@code call} returned empty where the contract says it cannot. */
    static Supplier<AssertionError> empty(String call) {
        return () -> new AssertionError(call + " returned empty");
    }

    static final String FREE_KEY = "L1: tryAcquire of a key no one holds";
    static final String CREATE = "V1: create of a fresh key";
    static final String READ = "V1: read of a key that exists";
    static final String CAS = "V1: compareAndSet with the current version, no one else writing,";
}
