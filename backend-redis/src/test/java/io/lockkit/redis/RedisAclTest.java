package io.lockkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.AclSetuserArgs;
import io.lockkit.BackendUnavailableException;
import io.lockkit.Lease;
import io.lockkit.LockKitException;
import io.lockkit.testkit.redis.RedisAdmin;
import io.lockkit.testkit.redis.RedisTestServer;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.config.Config;

/**
 * A Redis user without rights on lockkit's release channel (INCIDENTS.md row 44): Redis 7 gives a
 * new ACL user no channel at all ({@code acl-pubsub-default resetchannels}), so an application that
 * runs lockkit under its own user meets this by default. A release must still free the key and say
 * so (the wake-up is extra), and a waiting acquire, which needs the channel, must say what is
 * missing rather than report the store down. Backend-specific: channels and ACLs are Redis's.
 */
class RedisAclTest {
    private final RedisTestServer redis = RedisTestServer.get();

    @Test
    void aUserWithoutChannelRightsReleasesAndIsToldWhatAWaitNeeds() throws Exception {
        assumeTrue(
                redis.isEmbedded(),
                "skipped: adds an ACL user to the server, which " + RedisTestServer.URL_ENV + " may share");
        String user = "lockkit-nochannel-" + UUID.randomUUID();
        String password = "pw-" + UUID.randomUUID();
        try (RedisAdmin admin = redis.admin()) {
            admin.commands()
                    .aclSetuser(
                            user,
                            new AclSetuserArgs()
                                    .on()
                                    .addPassword(password)
                                    .allKeys()
                                    .allCommands()
                                    .resetChannels());
            Config config = new Config();
            config.useSingleServer()
                    .setAddress(redis.address())
                    .setUsername(user)
                    .setPassword(password)
                    .setTimeout(2000);
            String prefix = RedisTestServer.freshPrefix();
            try (RedisBackend restricted = RedisBackend.builder(Redisson.create(config))
                            .prefix(prefix)
                            .timeout(Duration.ofSeconds(2))
                            .shutdownClientOnClose(true)
                            .build();
                    RedisBackend other = RedisBackend.builder(redis.newRedisson(RedisTestServer.newClientName()))
                            .prefix(prefix)
                            .shutdownClientOnClose(true)
                            .build()) {
                Lease lease = restricted
                        .jobLock()
                        .tryAcquire("acl", Duration.ofSeconds(30))
                        .orElseThrow();
                assertThat(lease.release())
                        .as("L3: the release deleted the lock; a refused wake-up must not make it an error")
                        .isTrue();
                Optional<Lease> next = other.jobLock().tryAcquire("acl", Duration.ofSeconds(30));
                assertThat(next).as("the key is free after the release").isPresent();
                assertThatThrownBy(() ->
                                restricted.jobLock().acquire("acl", Duration.ofSeconds(30), Duration.ofSeconds(5)))
                        .as("a wait needs the release channel: the store is up, the user lacks a right")
                        .isInstanceOf(LockKitException.class)
                        .isNotInstanceOf(BackendUnavailableException.class)
                        .hasMessageContaining("channel")
                        .hasMessageNotContaining(password);
                assertThatThrownBy(() ->
                                restricted.jobLock().acquire("acl", Duration.ofSeconds(30), Duration.ofSeconds(1)))
                        .as("the same within a maxWait shorter than the client's timeout (2 s)")
                        .isInstanceOf(LockKitException.class)
                        .isNotInstanceOf(BackendUnavailableException.class)
                        .hasMessageContaining("channel");
                assertThat(next.get().release()).isTrue();
            }
        } finally {
            try (RedisAdmin admin = redis.admin()) {
                admin.commands().aclDeluser(user);
            }
        }
    }
}
