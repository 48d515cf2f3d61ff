package io.lockkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.mem.MemStore;
import io.lockkit.spi.BackendProvider;
import io.lockkit.spi.Uris;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LockKitTest {
    /** A provider that records which URI it was asked to open. */
    record Fake(String name, Set<String> uriPrefixes) implements BackendProvider {
        @Override
        public Backend open(String uri, Map<String, String> options) {
            return io.lockkit.mem.MemBackend.builder(MemStore.create()).build();
        }
    }

    @Test
    void memIsFoundThroughServiceLoader() {
        try (Backend b = LockKit.open("mem:lockkit-test?lease=session")) {
            assertThat(b.name()).isEqualTo("mem/session");
            assertThat(b.has(Capability.SESSION_LEASE)).isTrue();
        }
        assertThat(LockKit.discover().providers())
                .extracting(BackendProvider::name)
                .contains("mem");
    }

    @Test
    void longestPrefixWins() {
        var discovery = new LockKit.Discovery(
                List.of(new Fake("short", Set.of("redis")), new Fake("long", Set.of("redis://"))), List.of());
        // Both match; the longer prefix is chosen without ambiguity.
        try (Backend b = LockKit.open("redis://h", Map.of(), discovery)) {
            assertThat(b).isNotNull();
        }
    }

    @Test
    void unknownUriListsProvidersAndFailuresWithoutCredentials() {
        var discovery = new LockKit.Discovery(List.of(new Fake("mem", Set.of("mem:"))), List.of("broken: boom"));
        assertThatThrownBy(() -> LockKit.open("redis://alice:s3cret@host:6379/0?password=hunter2", Map.of(), discovery))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("redis://***@host:6379/0?password=***")
                .hasMessageContaining("mem [mem:]")
                .hasMessageContaining("broken: boom")
                .hasMessageNotContaining("s3cret")
                .hasMessageNotContaining("alice")
                .hasMessageNotContaining("hunter2");
    }

    /** A provider that records the URI it was asked to open. */
    static final class Recording implements BackendProvider {
        final List<String> opened = new java.util.ArrayList<>();
        private final String name;
        private final Set<String> prefixes;

        Recording(String name, String... prefixes) {
            this.name = name;
            this.prefixes = Set.of(prefixes);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<String> uriPrefixes() {
            return prefixes;
        }

        @Override
        public Backend open(String uri, Map<String, String> options) {
            opened.add(uri);
            return io.lockkit.mem.MemBackend.builder(MemStore.create()).build();
        }
    }

    @Test
    void schemesAreCaseInsensitiveAndTheProviderSeesItsOwnSpelling() {
        Recording redis = new Recording("redis", "redis://", "rediss://");
        var discovery = new LockKit.Discovery(List.of(redis, new Fake("mem", Set.of("mem:"))), List.of());
        for (String uri : List.of("Redis://h:6379/0", "REDISS://h:6380/1", "redis://h")) {
            try (Backend b = LockKit.open(uri, Map.of(), discovery)) {
                assertThat(b).isNotNull();
            }
        }
        assertThat(redis.opened).containsExactly("redis://h:6379/0", "rediss://h:6380/1", "redis://h");
    }

    @Test
    void anotherToolsSpellingGetsDidYouMeanWithoutCredentials() {
        var discovery = new LockKit.Discovery(
                List.of(
                        new Fake("postgresql", Set.of("postgresql://", "jdbc:postgresql:")),
                        new Fake("mem", Set.of("mem:"))),
                List.of());
        assertThatThrownBy(() -> LockKit.open("postgres://app:p/w#x@db:5432/app", Map.of(), discovery))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("did you mean 'postgresql://'?")
                .hasMessageNotContaining("p/w#x");
        assertThatThrownBy(() -> LockKit.open("postgre://db/app", Map.of(), discovery))
                .hasMessageContaining("did you mean 'postgresql://'?");
        assertThatThrownBy(() -> LockKit.open("jdbc:mysql://db/app", Map.of(), discovery))
                .hasMessageContaining("'jdbc:mysql:' is not supported yet")
                .hasMessageNotContaining("did you mean");
        assertThatThrownBy(() -> LockKit.open("mariadb://root:s/e#c@db/app", Map.of(), discovery))
                .hasMessageContaining(
                        "'mariadb://' is served by io.lockkit:lockkit-backend-jdbc, which is not on the class path")
                .hasMessageNotContaining("s/e#c");
        assertThatThrownBy(() -> LockKit.open("ftp://db/app", Map.of(), discovery))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("did you mean");
    }

    @Test
    void aKnownBackendWhoseJarIsMissingNamesTheArtifact() {
        var discovery = new LockKit.Discovery(List.of(new Fake("mem", Set.of("mem:"))), List.of());
        assertThatThrownBy(() -> LockKit.open("Redis://h:6379", Map.of(), discovery))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'redis://' is served by io.lockkit:lockkit-backend-redis")
                .hasMessageContaining("not on the class path");
        assertThatThrownBy(() -> LockKit.open("jdbc:postgresql://h/db", Map.of(), discovery))
                .hasMessageContaining("io.lockkit:lockkit-backend-jdbc");
        assertThatThrownBy(() -> LockKit.open("zookeeper://h:2181", Map.of(), discovery))
                .hasMessageContaining("io.lockkit:lockkit-backend-zookeeper");
    }

    @Test
    void twoProvidersForOnePrefixIsAnErrorUnlessOneIsNamed() {
        var discovery = new LockKit.Discovery(
                List.of(new Fake("a", Set.of("redis://")), new Fake("b", Set.of("redis://"))), List.of());
        assertThatThrownBy(() -> LockKit.open("redis://h", Map.of(), discovery))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("[a, b]")
                .hasMessageContaining("provider");
        try (Backend b = LockKit.open("redis://h", Map.of("provider", "b"), discovery)) {
            assertThat(b).isNotNull();
        }
    }

    @Test
    void badMemOptionsAreAllListed() {
        assertThatThrownBy(() -> LockKit.open("mem:x?lease=forever&driftMargin=-1s&colour=red"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lease=forever")
                .hasMessageContaining("driftMargin=-1s")
                .hasMessageContaining("colour (unknown option");
    }

    @Test
    void redactsJdbcStyleCredentials() {
        assertThat(Uris.redact("jdbc:postgresql://db/app?user=bob&password=pw&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/app?user=***&password=***&ssl=true");
    }

    @Test
    void redactsPasswordsWithSlashHashAtAndPlusByStructure() {
        String[][] cases = {
            {"redis://:pa/ss@127.0.0.1:6379", "redis://***@127.0.0.1:6379"},
            {"redis://:se#cret@127.0.0.1:6379/0", "redis://***@127.0.0.1:6379/0"},
            {"rediss://user:p@ss?w/rd@host:6380/1?timeout=1s", "rediss://***@host:6380/1?timeout=1s"},
            {"zookeeper://user:pa/ss@h1:2181,h2:2181/chroot", "zookeeper://***@h1:2181,h2:2181/chroot"},
            {"postgresql://bob:a+b%2F@[::1]:5432/app", "postgresql://***@[::1]:5432/app"},
            {
                "jdbc:postgresql://db/app?sslpassword=s#x&password=p&q=1",
                "jdbc:postgresql://db/app?sslpassword=***&password=***&q=1"
            },
            {"postgresql://db:5432/app?password=Pa/ss#W@rd?+1", "postgresql://db:5432/app?password=***"},
            {"postgresql://db/app?password=a;b&ssl=true", "postgresql://db/app?password=***&ssl=true"},
            {"redis://db/0?pass=hunter22&apikey=K1234&x=1", "redis://db/0?pass=***&apikey=***&x=1"},
            {
                "postgres://u:S3cretPw@bad host/db",
                "postgres://*** (the rest is not shown: its user info cannot be told from its hosts)"
            },
            {"zk://u:S3cret!@h!/x", "zk://*** (the rest is not shown: its user info cannot be told from its hosts)"},
        };
        for (String[] c : cases) {
            assertThat(Uris.redact(c[0])).as(c[0]).isEqualTo(c[1]);
        }
    }

    @Test
    void noBackendAcceptsNeverShowsAPasswordWhoseHostIsMalformed() {
        var discovery = new LockKit.Discovery(List.of(new Fake("postgresql", Set.of("postgresql://"))), List.of());
        assertThatThrownBy(() -> LockKit.open("postgres://u:S3cretPw@bad host/db", Map.of(), discovery))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("did you mean 'postgresql://'")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("S3cretPw"));
    }

    @Test
    void aProviderPrefixWithoutAColonDoesNotBreakTheHint() {
        BackendProvider odd = new Fake("odd", Set.of("odd"));
        assertThatThrownBy(() -> LockKit.open("od:x", Map.of(), new LockKit.Discovery(List.of(odd), List.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("did you mean 'odd'");
    }

    @Test
    void aProviderMessageThatShowsACredentialIsScrubbed() {
        RuntimeException leaky = new IllegalArgumentException(
                "cannot connect to redis://:pa/ss#1@db:6379 with password pa/ss#1",
                new RuntimeException("auth failed for se%2Bcret"));
        RuntimeException shown =
                Uris.scrubbed(leaky, "redis://:pa/ss#1@db:6379?password=se%2Bcret", java.util.Map.of());
        assertThat(shown).isInstanceOf(IllegalArgumentException.class).hasNoCause();
        assertThat(shown.getMessage()).doesNotContain("pa/ss#1").contains("***");
        RuntimeException clean = new IllegalStateException("no server at db:6379");
        assertThat(Uris.scrubbed(clean, "redis://:pa/ss#1@db:6379", java.util.Map.of()))
                .isSameAs(clean);
        RuntimeException naming = new IllegalStateException("jdbc:postgresql://db/app: connection refused");
        assertThat(Uris.scrubbed(naming, "jdbc:postgresql://postgres@db/app?user=postgres", java.util.Map.of()))
                .as("a user name is no credential: a message naming postgresql stays whole, with its cause")
                .isSameAs(naming);
        RuntimeException fromOption = new IllegalArgumentException("bad sslpassword s3cr3t!");
        assertThat(Uris.scrubbed(fromOption, "jdbc:postgresql://db/app", java.util.Map.of("sslpassword", "s3cr3t!"))
                        .getMessage())
                .doesNotContain("s3cr3t!");
    }
}
