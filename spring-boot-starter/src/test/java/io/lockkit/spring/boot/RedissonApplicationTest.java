package io.lockkit.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.testkit.redis.RedisTestServer;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

/** An application with its own {@code RedissonClient} and no {@code lockkit.uri}: the backend is Redis on it. */
@SpringBootTest(properties = "lockkit.redis.prefix=boot-redisson-application")
class RedissonApplicationTest {
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Application {
        @Bean(destroyMethod = "shutdown")
        RedissonClient redisson() {
            return RedisTestServer.get().newRedisson(RedisTestServer.newClientName("boot"));
        }
    }

    @Autowired
    ApplicationContext context;

    @Autowired
    RedissonClient redisson;

    @Test
    void theApplicationsRedissonClientCarriesTheBackend() throws Exception {
        Checks.everythingWiredTo(context, "redis");
        assertThat(redisson.isShutdown()).isFalse();
    }
}
