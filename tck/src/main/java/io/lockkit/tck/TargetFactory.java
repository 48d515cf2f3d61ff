package io.lockkit.tck;

/**
 * Opens one backend variant as a {@link TckTarget} for the race comparison, starting an embedded
 * server when needed. Registered in {@code META-INF/services/io.lockkit.tck.TargetFactory} (a
 * backend ships its factories in its test jar): a backend joins the comparison by being on the
 * class path. A factory that fails to open is reported, not fatal. Implementations MUST have a
 * public no-argument constructor.
 */
public interface TargetFactory {
    /** The column name, such as {@code mem/timed}. */
    String name();

    TckTarget open() throws Exception;

    /**
     * Whether this target is a peer (another library or a hand-written pattern, wrapped as a
     * lockkit backend for comparison) rather than a lockkit backend. A peer's results are reported
     * as measured; only a lockkit backend breaking a rule makes the race comparison fail.
     */
    default boolean peer() {
        return false;
    }
}
