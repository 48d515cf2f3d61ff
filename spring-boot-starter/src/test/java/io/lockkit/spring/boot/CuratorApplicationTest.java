package io.lockkit.spring.boot;

import io.lockkit.testkit.zookeeper.ZooKeeperTarget;
import io.lockkit.testkit.zookeeper.ZooKeeperTestServer;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

/** An application with its own started {@code CuratorFramework} and no {@code lockkit.uri}: the backend is ZooKeeper on it. */
@SpringBootTest(properties = "lockkit.zookeeper.root=/boot-curator-application")
class CuratorApplicationTest {
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Application {
        @Bean(destroyMethod = "close")
        CuratorFramework curator() {
            CuratorFramework curator = ZooKeeperTarget.curator(
                    ZooKeeperTestServer.shared().connectString(),
                    ZooKeeperTarget.SESSION_TIMEOUT,
                    ZooKeeperTarget.TIMEOUT);
            return curator;
        }
    }

    @Autowired
    ApplicationContext context;

    @Test
    void theApplicationsCuratorClientCarriesTheBackend() throws Exception {
        Checks.everythingWiredTo(context, "zookeeper");
    }
}
