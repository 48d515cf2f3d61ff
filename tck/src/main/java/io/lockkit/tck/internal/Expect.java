package io.lockkit.tck.internal;

import io.lockkit.tck.Rule;
import java.util.function.Supplier;

/** Failures for a step that must succeed in a correct backend, worded for the backend's author. */
public final class Expect {
    private Expect() {}

    /** For {@code orElseThrow}: {@code call} returned empty where the contract says it cannot. */
    public static Supplier<AssertionError> empty(String call) {
        return () -> new AssertionError(call + " returned empty");
    }

    public static final String FREE_KEY = Rule.L1 + ": tryAcquire of a key no one holds";
    public static final String CREATE = Rule.V1 + ": create of a fresh key";
    public static final String READ = Rule.V1 + ": read of a key that exists";
    public static final String CAS = Rule.V1 + ": compareAndSet with the current version, no one else writing,";
}
