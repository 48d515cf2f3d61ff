/**
 * lockkit's PostgreSQL backend: {@code LockKit.open("postgresql://…")} finds it through the
 * service it provides, or build it with {@link io.lockkit.postgresql.PostgresBackend#builder(javax.sql.DataSource)}.
 * Only {@code io.lockkit.postgresql} is exported; the provider lives in a package of its own.
 */
module io.lockkit.postgresql {
    requires transitive io.lockkit;
    requires transitive java.sql;
    requires transitive org.jdbi.v3.core;
    requires org.postgresql.jdbc;
    // MariaDB Connector/J: optional; the application brings it with its DataSource, or for LockKit.open("mariadb://…").
    requires static org.mariadb.jdbc;
    // Jdbi, an automatic module, cannot say what it needs at run time: its dependencies that are
    // explicit modules are required here, else a modular application would not resolve them and
    // Jdbi would fail with NoClassDefFoundError (ModuleDescriptorTest opens a backend in a layer).
    requires io.leangen.geantyref;
    requires org.slf4j;
    requires java.logging;
    requires static org.jspecify;

    exports io.lockkit.postgresql;
    exports io.lockkit.mariadb;

    provides io.lockkit.spi.BackendProvider with
            io.lockkit.postgresql.internal.PostgresBackendProvider,
            io.lockkit.mariadb.internal.MariaDbBackendProvider;
}
