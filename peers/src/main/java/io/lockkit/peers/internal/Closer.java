package io.lockkit.peers.internal;

/** Closes what was opened so far when a later step of opening a client fails. */
public final class Closer {
    private Closer() {}

    /** Closes each of {@code resources}, adding their failures to {@code failure}, and returns it. */
    public static RuntimeException closeAfter(RuntimeException failure, AutoCloseable... resources) {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
        return failure;
    }
}
