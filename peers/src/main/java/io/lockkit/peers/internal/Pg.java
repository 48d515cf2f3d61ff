package io.lockkit.peers.internal;

import io.lockkit.Backend;
import io.lockkit.LockKit;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.util.Map;

/** lockkit's own PostgreSQL backend for the peers, in a schema of the PostgreSQL testkit's server. Stateless. */
public final class Pg {
    private Pg() {}

    /**
     * lockkit's own PostgreSQL backend in {@code schema}: {@code variant} ({@code table}, {@code
     * advisory}, {@code rowlock}), its tables created when {@code create}.
     */
    public static Backend lockkit(String url, String schema, String variant, boolean create, boolean unreachable) {
        Map<String, String> options = PostgresTestServer.clientOptions(variant, schema);
        options.put("createSchema", create ? "true" : "false");
        if (unreachable) {
            options.put("connectTimeout", "1s");
            options.put("connectionWait", "1s");
            options.put("networkTimeout", "1s");
        }
        return LockKit.open(url, options);
    }
}
