package io.lockkit.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Backend;
import io.lockkit.LockKit;
import io.lockkit.mem.MemBackend;
import io.lockkit.tck.MemTarget;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.integration.support.locks.LockRegistry;

/** The rules of the auto-configuration that the applications of the other tests do not meet. */
class AutoConfigurationRulesTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(LockKitAutoConfiguration.class, LockKitIntegrationsAutoConfiguration.class));

    /** The schema check at startup: a database without lockkit's tables stops the application, naming the fix. */
    @Test
    void aDataSourceWithoutTheSchemaFailsTheStartupNamingTheFix() {
        String schema = PostgresTestServer.newSchema();
        try {
            runner.withBean(DataSource.class, () -> PostgresTestServer.dataSource("lockkit-boot-noschema"))
                    .withPropertyValues("lockkit.postgresql.schema=" + schema)
                    .run(context -> {
                        assertThat(context).hasFailed();
                        assertThat(context.getStartupFailure())
                                .hasStackTraceContaining("\"" + schema + "\".\"lockkit_lock\" does not exist")
                                .hasStackTraceContaining("lockkit.postgresql.create-schema=true");
                    });
        } finally {
            PostgresTestServer.dropSchema(schema);
        }
    }

    /** lockkit.uri wins over the application's DataSource; the application's own Backend bean wins over both. */
    @Test
    void theUriWinsOverADataSourceAndTheApplicationsBackendOverBoth() {
        runner.withBean(DataSource.class, () -> PostgresTestServer.dataSource("lockkit-boot-uri-wins"))
                .withPropertyValues("lockkit.uri=mem:boot-" + UUID.randomUUID())
                .run(context ->
                        assertThat(context.getBean(Backend.class).name()).startsWith("mem"));
        Backend own = LockKit.open("mem:boot-own-" + UUID.randomUUID());
        runner.withBean(Backend.class, () -> own)
                .withPropertyValues("lockkit.uri=mem:boot-" + UUID.randomUUID())
                .run(context -> {
                    assertThat(context).getBean(Backend.class).isSameAs(own);
                    assertThat(context).hasSingleBean(LockRegistry.class);
                });
        own.close();
    }

    /** E2: an unreachable store is DOWN, with the backend's message and no credential in it. */
    @Test
    void anUnreachableStoreIsDown() {
        MemTarget target = new MemTarget(MemBackend.LeaseKind.TIMED);
        Backend unreachable = target.faults().unreachableClient();
        runner.withBean(Backend.class, () -> unreachable).run(context -> {
            LockKitHealthIndicator health = context.getBean(LockKitHealthIndicator.class);
            assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.health().getDetails()).containsKey("error");
        });
        unreachable.close();
    }

    /** Without a Backend (no URI, no DataSource, no Redisson, no Curator) nothing of lockkit is configured. */
    @Test
    void nothingToBuildOnMeansNoBeans() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(Backend.class);
            assertThat(context).doesNotHaveBean(LockRegistry.class);
            assertThat(context).doesNotHaveBean(LockKitHealthIndicator.class);
        });
    }

    /**
     * Two DataSources and neither primary: no backend on either (lockkit cannot guess which), and the
     * application still starts, as with Boot's own auto-configurations; a primary one is used.
     */
    @Test
    void twoDataSourcesWithoutAPrimaryGiveNoBackendAndAPrimaryOneIsUsed() {
        runner.withBean("orders", DataSource.class, () -> PostgresTestServer.dataSource("lockkit-boot-orders"))
                .withBean("reporting", DataSource.class, () -> PostgresTestServer.dataSource("lockkit-boot-reporting"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(Backend.class);
                });
        String schema = PostgresTestServer.newSchema();
        try {
            runner.withBean(
                            "orders",
                            DataSource.class,
                            () -> PostgresTestServer.dataSource("lockkit-boot-orders"),
                            bd -> bd.setPrimary(true))
                    .withBean(
                            "reporting",
                            DataSource.class,
                            () -> PostgresTestServer.dataSource("lockkit-boot-reporting"))
                    .withPropertyValues(
                            "lockkit.postgresql.schema=" + schema,
                            "lockkit.postgresql.namespace=" + schema,
                            "lockkit.postgresql.create-schema=true")
                    .run(context ->
                            assertThat(context.getBean(Backend.class).name()).startsWith("postgresql"));
        } finally {
            PostgresTestServer.dropSchema(schema);
        }
    }

    /** The health indicator follows Boot's switches: its own, and the default for all indicators. */
    @Test
    void theHealthIndicatorFollowsBootsSwitches() {
        String uri = "lockkit.uri=mem:boot-health-" + UUID.randomUUID();
        runner.withPropertyValues(uri, "management.health.lockkit.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(LockKitHealthIndicator.class));
        runner.withPropertyValues(uri, "management.health.defaults.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(LockKitHealthIndicator.class));
        runner.withPropertyValues(
                        uri, "management.health.defaults.enabled=false", "management.health.lockkit.enabled=true")
                .run(context -> assertThat(context).hasSingleBean(LockKitHealthIndicator.class));
    }

    /** E1: a bad variant is refused at startup, naming the value. */
    @Test
    void aBadVariantFailsTheStartupNamingIt() {
        runner.withBean(DataSource.class, () -> PostgresTestServer.dataSource("lockkit-boot-variant"))
                .withPropertyValues("lockkit.postgresql.variant=advisroy")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .hasStackTraceContaining(
                                    "lockkit.postgresql.variant must be table, advisory or rowlock, was 'advisroy'");
                });
    }
}
