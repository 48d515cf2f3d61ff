package io.lockkit.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.integration.support.locks.LockRegistry;

/** The project README's Spring Boot example: its properties start an application, and are these, word for word. */
class ReadmeExampleTest {
    // readme:begin
    private static final String PROPERTIES =
            """
            # application.properties: a store named by URI (or none: then your DataSource, RedissonClient or CuratorFramework bean)
            lockkit.uri=mem:orders
            lockkit.options.lease=session
            # the lease of each Spring Integration lock
            lockkit.lease=30s
            """;
    // readme:end

    @Test
    void thePropertiesStartAnApplicationWithTheIntegrations() throws Exception {
        Properties properties = new Properties();
        properties.load(new java.io.StringReader(PROPERTIES));
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        LockKitAutoConfiguration.class, LockKitIntegrationsAutoConfiguration.class))
                .withPropertyValues(properties.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .toArray(String[]::new))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(io.lockkit.Backend.class).name()).isEqualTo("mem/session");
                    assertThat(context).hasSingleBean(LockRegistry.class);
                });
    }

    @Test
    void theReadmeShowsTheseProperties() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertThat(readme).contains(PROPERTIES.strip());
    }
}
