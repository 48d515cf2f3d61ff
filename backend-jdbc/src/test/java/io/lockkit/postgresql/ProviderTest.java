package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.Lease;
import io.lockkit.LockKit;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Discovery through {@link LockKit#open}: both URI forms, the variant option, bad options at once, no leaked secrets. */
class ProviderTest {
    @Test
    void opensEachVariantFromAJdbcUri() {
        String schema = PostgresTestServer.newSchema();
        try {
            for (String variant : new String[] {"table", "advisory", "rowlock"}) {
                try (Backend backend = LockKit.open(PostgresTestServer.jdbcUrl(), options(schema, variant))) {
                    assertThat(backend.name()).isEqualTo("postgresql/" + variant);
                    Lease lease = backend.jobLock()
                            .tryAcquire("k", Duration.ofSeconds(5))
                            .orElseThrow();
                    assertThat(lease.release()).isTrue();
                }
            }
        } finally {
            PostgresTestServer.dropSchema(schema);
        }
    }

    @Test
    void opensALibpqStyleUri() {
        String schema = PostgresTestServer.newSchema();
        String uri = PostgresTestServer.jdbcUrl().replaceFirst("^jdbc:postgresql://", "postgresql://");
        try (Backend backend = LockKit.open(uri, options(schema, "advisory"))) {
            assertThat(backend.versionedUpdate().create("k", new byte[] {1})).isPresent();
        } finally {
            PostgresTestServer.dropSchema(schema);
        }
    }

    @Test
    void e1_reportsEveryBadOptionAtOnce() {
        assertThatThrownBy(() -> LockKit.open(
                        PostgresTestServer.jdbcUrl(),
                        Map.of("variant", "mutex", "maxConnections", "1", "lockTable", "Bad-Name", "colour", "blue")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("variant=mutex")
                .hasMessageContaining("maxConnections=1")
                .hasMessageContaining("lockTable='Bad-Name'")
                .hasMessageContaining("colour (unknown option");
    }

    @Test
    void e2_anUnreachableServerIsUnavailableQuicklyAndNoSecretLeaks() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String uri = "postgresql://alice:s3cret@127.0.0.1:" + port + "/db";
        try (Backend backend = LockKit.open(uri, Map.of("connectTimeout", "1s"))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> backend.jobLock().tryAcquire("k", Duration.ofSeconds(5)))
                    .isInstanceOf(BackendUnavailableException.class)
                    .satisfies(e -> assertThat(fullText(e)).doesNotContain("s3cret"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
        assertThatThrownBy(() -> LockKit.open("jdbc:postgresql://h:port/x?password=s3cret", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(fullText(e)).doesNotContain("s3cret"));
    }

    private static Map<String, String> options(String schema, String variant) {
        return Map.of(
                "variant", variant,
                "createSchema", "true",
                "lockTable", schema + ".locks",
                "rowLockTable", schema + ".row_locks",
                "versionedTable", schema + ".versioned",
                "tokenSequence", schema + ".tokens",
                "namespace", schema);
    }

    private static String fullText(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t).append('\n');
        }
        return all.toString();
    }
}
