package io.lockkit.race;

import io.lockkit.tck.TckTarget;

/**
 * Opens one backend variant for the race comparison, starting an embedded server when needed.
 * Registered in {@code META-INF/services/io.lockkit.race.TargetFactory}: a backend joins the
 * comparison by being on the class path. A factory that fails to open is reported, not fatal.
 */
public interface TargetFactory {
    /** The column name, such as {@code mem/timed}. */
    String name();

    TckTarget open() throws Exception;
}
