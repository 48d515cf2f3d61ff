package io.lockkit.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.sql.Connection;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * An application with its own {@code DataSource} (a HikariCP pool of 6) and no {@code lockkit.uri}:
 * the backend is PostgreSQL's advisory variant on that pool, taking at most 4 of its connections,
 * its schema created at startup in a schema of the test's own.
 */
@SpringBootTest
class DataSourceApplicationTest {
    private static final String SCHEMA = PostgresTestServer.newSchema();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("lockkit.postgresql.schema", () -> SCHEMA);
        registry.add("lockkit.postgresql.namespace", () -> SCHEMA);
        registry.add("lockkit.postgresql.variant", () -> "advisory");
        registry.add("lockkit.postgresql.create-schema", () -> "true");
    }

    @AfterAll
    static void drop() {
        PostgresTestServer.dropSchema(SCHEMA);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Application {
        @Bean(destroyMethod = "close")
        HikariDataSource dataSource() {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(PostgresTestServer.jdbcUrl("lockkit-boot-datasource"));
            config.setMaximumPoolSize(6);
            config.setPoolName("application");
            return new HikariDataSource(config);
        }
    }

    @Autowired
    ApplicationContext context;

    @Autowired
    DataSource dataSource;

    @Test
    void theApplicationsDataSourceCarriesTheBackendAndTheApplicationKeepsItsConnections() throws Exception {
        Checks.everythingWiredTo(context, "postgresql/advisory");
        try (Connection c1 = dataSource.getConnection();
                Connection c2 = dataSource.getConnection()) {
            assertThat(c1.isValid(1) && c2.isValid(1))
                    .as("the application's own connections, with lockkit's client open on its pool")
                    .isTrue();
        }
    }
}
