package io.lockkit.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Backend;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * An application that names its store with {@code lockkit.uri} (the in-JVM reference store here,
 * with an option in {@code lockkit.options}) and has a {@code MeterRegistry}: the backend is metered.
 */
@SpringBootTest(properties = {"lockkit.uri=mem:boot-uri-application", "lockkit.options.lease=session"})
class UriApplicationTest {
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Application {
        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @Autowired
    ApplicationContext context;

    @Autowired
    MeterRegistry meters;

    @Test
    void theUriNamesTheBackendAndEverythingUsesIt() throws Exception {
        Backend backend = Checks.everythingWiredTo(context, "mem/session");
        assertThat(meters.find("lockkit.acquire").timers())
                .as("the backend bean is the metered one")
                .isNotEmpty();
        assertThat(backend.getClass().getName()).contains("Metered");
    }
}
