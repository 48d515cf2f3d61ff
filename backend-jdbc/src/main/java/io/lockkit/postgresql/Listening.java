package io.lockkit.postgresql;

import java.sql.Connection;

/**
 * How the backend's release listener sets up its connection, for the benchmarks' own listeners, so
 * that a baseline listens as fast as lockkit does. Not API: for lockkit's benchmarks (module {@code
 * bench}), which compile against the backend's main jar only.
 */
public final class Listening {
    private Listening() {}

    /** {@link Watcher#skipTrailingProbe}: pgjdbc's 1 ms probe after each notification, switched off. */
    public static boolean skipTrailingProbe(Connection connection) {
        return Watcher.skipTrailingProbe(connection);
    }
}
