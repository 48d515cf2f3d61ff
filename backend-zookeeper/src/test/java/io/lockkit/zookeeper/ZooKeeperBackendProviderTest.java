package io.lockkit.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.Backend;
import io.lockkit.Capability;
import io.lockkit.Lease;
import io.lockkit.LockKit;
import io.lockkit.spi.BackendProvider;
import io.lockkit.testkit.zookeeper.ZooKeeperTestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Discovery of {@code zookeeper://} and its URI and options (E1). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZooKeeperBackendProviderTest {
    private ZooKeeperTestServer server;

    @BeforeAll
    void start() {
        server = ZooKeeperTestServer.start();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    @DisplayName("LockKit.open finds the provider through ServiceLoader")
    void discovered() {
        assertThat(LockKit.discover().providers())
                .extracting(BackendProvider::name)
                .contains("zookeeper");
    }

    @Test
    @DisplayName("zookeeper://hosts/chroot?options opens a session backend whose nodes live under the chroot")
    void opensWithChrootAndOptions() throws Exception {
        String chroot = "app-" + UUID.randomUUID();
        String uri = "zookeeper://" + String.join(",", server.hosts()) + "/" + chroot + "/locks?sessionTimeout=4s";
        try (Backend backend = LockKit.open(uri, Map.of("timeout", "2s", "driftMargin", "50ms"))) {
            assertThat(backend.name()).isEqualTo("zookeeper/session");
            assertThat(backend.capabilities()).contains(Capability.SESSION_LEASE, Capability.RELEASE_NOTIFICATION);
            Lease lease =
                    backend.jobLock().tryAcquire("job", Duration.ofSeconds(30)).orElseThrow();
            CuratorFramework curator = ((ZooKeeperBackend) backend).curator();
            assertThat(curator.getNamespace()).isEqualTo(chroot + "/locks");
            CuratorFramework plain = BuilderTarget.curator(server.connectString(), Duration.ofSeconds(5));
            try {
                assertThat(plain.checkExists().forPath("/" + chroot + "/locks/lockkit/locks/job"))
                        .isNotNull();
            } finally {
                plain.close();
            }
            assertThat(lease.release()).isTrue();
        }
    }

    @Test
    @DisplayName("a password with /, #, ?, @ and + authenticates as written (percent-decoding only: + stays +)")
    void passwordWithDelimitersAuthenticatesAsWritten() throws Exception {
        String password = "pa/ss#x?y@z+w";
        String node = "/secret-" + UUID.randomUUID();
        CuratorFramework plain = BuilderTarget.curator(server.connectString(), Duration.ofSeconds(5));
        try {
            String digest = DigestAuthenticationProvider.generateDigest("user:" + password);
            plain.create()
                    .withACL(List.of(new ACL(ZooDefs.Perms.ALL, new Id("digest", digest))))
                    .forPath(node, new byte[] {42});
        } finally {
            plain.close();
        }
        String uri = "zookeeper://user:" + password + "@" + String.join(",", server.hosts()) + "/?timeout=3s";
        try (Backend backend = LockKit.open(uri, Map.of())) {
            CuratorFramework curator = ((ZooKeeperBackend) backend).curator();
            assertThat(curator.getData().forPath(node)).containsExactly(42);
            assertThat(backend.jobLock().tryAcquire("job", Duration.ofSeconds(30)))
                    .isPresent();
        }
    }

    @Test
    @DisplayName("E1: every bad part of the URI and every bad option is named at once, credentials never")
    void reportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> LockKit.open(
                        "zookeeper://alice:s3cret@nohost,h:99999//x/?timeout=-1s&bogus=1",
                        Map.of("driftMargin", "soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nohost")
                .hasMessageContaining("h:99999")
                .hasMessageContaining("chroot")
                .hasMessageContaining("timeout=-1s")
                .hasMessageContaining("driftMargin=soon")
                .hasMessageContaining("bogus")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    @DisplayName("E1: durations that would overflow are refused naming the value, never ArithmeticException")
    void hugeDurationsAreRefusedNamingTheValue() {
        String uri = "zookeeper://" + String.join(",", server.hosts());
        for (String option : List.of("driftMargin", "timeout", "sessionTimeout")) {
            for (String huge : List.of("9223372036854775807s", "3650d")) {
                assertThatThrownBy(() -> LockKit.open(uri, Map.of(option, huge)))
                        .as(option)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(option);
            }
        }
    }

    @Test
    @DisplayName("E1: the builder rejects a client that is not started, a bad root and a zero timeout, all at once")
    void builderValidatesEverything() {
        CuratorFramework unstarted = org.apache.curator.framework.CuratorFrameworkFactory.newClient(
                server.connectString(), new org.apache.curator.retry.RetryOneTime(10));
        assertThatThrownBy(() -> ZooKeeperBackend.builder(unstarted)
                        .root("no-slash")
                        .timeout(Duration.ZERO)
                        .driftMargin(Duration.ofMillis(-1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("started")
                .hasMessageContaining("root=no-slash")
                .hasMessageContaining("timeout")
                .hasMessageContaining("driftMargin");
    }
}
