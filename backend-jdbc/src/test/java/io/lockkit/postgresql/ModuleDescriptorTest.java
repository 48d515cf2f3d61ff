package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.LockKit;
import io.lockkit.postgresql.internal.PostgresBackendProvider;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.io.InputStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Requires;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;

/**
 * lockkit-backend-jdbc as the named module {@code io.lockkit.postgresql}: its compiled descriptor
 * exports the two API packages ({@code io.lockkit.postgresql}, {@code io.lockkit.mariadb}) only, never
 * the shared JDBC plumbing ({@code io.lockkit.jdbc.internal}), and provides the two backend providers (PostgreSQL's and
 * MariaDB's), the class-path service file names the same providers, and a modular application (a module layer of the built
 * classes, the api, Jdbi and pgjdbc, without MariaDB Connector/J) opens PostgreSQL through {@link LockKit#open}'s service
 * loader, while a MariaDB URI is refused naming the missing driver.
 */
class ModuleDescriptorTest {
    private static final List<String> PROVIDERS = List.of(
            "io.lockkit.postgresql.internal.PostgresBackendProvider",
            "io.lockkit.mariadb.internal.MariaDbBackendProvider");

    private static Path location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static ModuleDescriptor descriptor() throws Exception {
        try (InputStream in =
                Files.newInputStream(location(PostgresBackendProvider.class).resolve("module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    @Test
    void theDescriptorExportsTheApiPackagesAndProvidesTheBackend() throws Exception {
        ModuleDescriptor d = descriptor();
        assertThat(d.name()).isEqualTo("io.lockkit.postgresql");
        assertThat(d.exports())
                .extracting(ModuleDescriptor.Exports::source)
                .containsExactlyInAnyOrder("io.lockkit.postgresql", "io.lockkit.mariadb");
        assertThat(d.exports()).allSatisfy(e -> assertThat(e.isQualified()).isFalse());
        assertThat(d.provides()).singleElement().satisfies(p -> {
            assertThat(p.service()).isEqualTo("io.lockkit.spi.BackendProvider");
            assertThat(p.providers()).containsExactlyElementsOf(PROVIDERS);
        });
        assertThat(d.packages())
                .contains("io.lockkit.postgresql", "io.lockkit.postgresql.internal", "io.lockkit.mariadb");
        Map<String, Set<Requires.Modifier>> requires =
                d.requires().stream().collect(Collectors.toMap(Requires::name, Requires::modifiers));
        assertThat(requires).containsKeys("io.lockkit", "org.jdbi.v3.core", "org.postgresql.jdbc", "java.sql");
        // its public signatures show the api's types, Jdbi's and DataSource: a user's module reads them too
        assertThat(requires.get("io.lockkit")).contains(Requires.Modifier.TRANSITIVE);
        assertThat(requires.get("org.jdbi.v3.core")).contains(Requires.Modifier.TRANSITIVE);
        assertThat(requires.get("java.sql")).contains(Requires.Modifier.TRANSITIVE);
        assertThat(requires.get("org.jspecify")).containsExactly(Requires.Modifier.STATIC);
        // Connector/J is optional: the MariaDB provider uses it, the backend itself does not
        assertThat(requires.get("org.mariadb.jdbc")).containsExactly(Requires.Modifier.STATIC);
    }

    /** The names pgjdbc and Jdbi go by as automatic modules, which the descriptor requires. */
    @Test
    void theRequiredAutomaticModulesAreTheJarsNames() throws Exception {
        assertThat(ModuleFinder.of(location(Driver.class)).findAll())
                .singleElement()
                .satisfies(m -> assertThat(m.descriptor().name()).isEqualTo("org.postgresql.jdbc"));
        assertThat(ModuleFinder.of(location(Jdbi.class)).findAll())
                .singleElement()
                .satisfies(m -> assertThat(m.descriptor().name()).isEqualTo("org.jdbi.v3.core"));
    }

    /** Class-path users find the provider through the service file, which names the same class. */
    @Test
    void theServiceFileNamesTheSameProvider() throws Exception {
        Path file = location(PostgresBackendProvider.class).resolve("META-INF/services/io.lockkit.spi.BackendProvider");
        assertThat(Files.readString(file, StandardCharsets.UTF_8).strip().lines())
                .containsExactlyElementsOf(PROVIDERS);
    }

    @Test
    void aModularApplicationOpensPostgresqlThroughTheServiceLoader() throws Exception {
        ModuleFinder finder = ModuleFinder.of(
                location(PostgresBackendProvider.class),
                location(LockKit.class),
                location(Jdbi.class),
                location(Driver.class),
                // Jdbi's own dependencies, by name: the tests compile inside the module, which does not read them
                location(Class.forName("io.leangen.geantyref.GenericTypeReflector")),
                location(Class.forName("org.slf4j.LoggerFactory")));
        Configuration cf = ModuleLayer.boot()
                .configuration()
                .resolveAndBind(finder, ModuleFinder.of(), Set.of("io.lockkit.postgresql"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        Module postgresql = layer.findModule("io.lockkit.postgresql").orElseThrow();
        assertThat(postgresql.isNamed()).isTrue();
        assertThat(postgresql.isExported("io.lockkit.postgresql")).isTrue();
        assertThat(postgresql.isExported("io.lockkit.postgresql.internal")).isFalse();
        assertThat(postgresql.getPackages()).contains("io.lockkit.jdbc.internal", "io.lockkit.mariadb");
        assertThat(postgresql.isExported("io.lockkit.jdbc.internal")).isFalse();
        assertThat(postgresql.isExported("io.lockkit.mariadb")).isTrue();

        ClassLoader loader = postgresql.getClassLoader();
        Class<?> lockKit = loader.loadClass("io.lockkit.LockKit");
        assertThat(lockKit.getModule().getName()).isEqualTo("io.lockkit");
        String schema = PostgresTestServer.newSchema();
        Thread self = Thread.currentThread();
        ClassLoader before = self.getContextClassLoader();
        self.setContextClassLoader(loader);
        try {
            Map<String, String> options = PostgresTestServer.clientOptions("table", schema);
            options.put("createSchema", "true");
            try (AutoCloseable backend = (AutoCloseable) lockKit.getMethod("open", String.class, Map.class)
                    .invoke(null, PostgresTestServer.jdbcUrl(), Map.copyOf(options))) {
                assertThat(backend.getClass().getModule()).isSameAs(postgresql);
                Object jobLock = loader.loadClass("io.lockkit.Backend")
                        .getMethod("jobLock")
                        .invoke(backend);
                Optional<?> lease = (Optional<?>) loader.loadClass("io.lockkit.JobLock")
                        .getMethod("tryAcquire", String.class, Duration.class)
                        .invoke(jobLock, "job-42", Duration.ofSeconds(5));
                assertThat(lease).isPresent();
                assertThat(loader.loadClass("io.lockkit.Lease")
                                .getMethod("release")
                                .invoke(lease.get()))
                        .isEqualTo(true);
            }
            // the MariaDB provider loads without Connector/J, and opening its URI names what is missing
            Throwable refused = org.assertj.core.api.Assertions.catchThrowable(
                    () -> lockKit.getMethod("open", String.class, Map.class)
                            .invoke(null, "mariadb://localhost/app", Map.of()));
            assertThat(refused.getCause())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("needs MariaDB Connector/J");
        } finally {
            self.setContextClassLoader(before);
            PostgresTestServer.dropSchema(schema);
        }
    }
}
