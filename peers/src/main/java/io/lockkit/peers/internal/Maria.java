package io.lockkit.peers.internal;

import io.lockkit.Backend;
import io.lockkit.LockKit;
import java.util.LinkedHashMap;
import java.util.Map;

/** lockkit's own MariaDB backend for the peers, in a database of the MariaDB testkit's server. Stateless. */
public final class Maria {
    private Maria() {}

    /**
     * lockkit's MariaDB lock table in {@code database} (a client connected to {@code url} names the
     * tables in full), its tables created when {@code create}.
     */
    public static Backend lockkit(String url, String database, boolean create, boolean unreachable) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("variant", "table");
        options.put("lockTable", database + ".lockkit_lock");
        options.put("tokenSequence", database + ".lockkit_token");
        options.put("versionedTable", database + ".lockkit_versioned");
        options.put("createSchema", create ? "true" : "false");
        if (unreachable) {
            options.put("connectTimeout", "1s");
            options.put("connectionWait", "1s");
            options.put("networkTimeout", "1s");
        }
        return LockKit.open(url, options);
    }
}
