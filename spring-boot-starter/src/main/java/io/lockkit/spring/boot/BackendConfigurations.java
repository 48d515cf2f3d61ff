package io.lockkit.spring.boot;

import io.lockkit.Backend;
import io.lockkit.LockKit;
import io.lockkit.LockKitException;
import io.lockkit.postgresql.PostgresBackend;
import io.lockkit.postgresql.TableNames;
import io.lockkit.redis.RedisBackend;
import io.lockkit.zookeeper.ZooKeeperBackend;
import java.util.Locale;
import javax.sql.DataSource;
import org.apache.curator.framework.CuratorFramework;
import org.redisson.api.RedissonClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Where the {@code Backend} bean comes from, tried in this order ({@link LockKitAutoConfiguration}
 * imports them so): {@code lockkit.uri}; the application's {@code DataSource}; its {@code
 * RedissonClient}; its {@code CuratorFramework}. An application that defines its own {@code
 * Backend} bean gets none of them, and so does one with two beans of a kind and neither primary
 * (as Boot's own auto-configurations do). A backend on an application's bean never closes that bean,
 * and takes at most {@code lockkit.postgresql.max-connections} of a pool.
 */
final class BackendConfigurations {
    private BackendConfigurations() {}

    static Backend customized(Backend backend, ObjectProvider<LockKitBackendCustomizer> customizers) {
        Backend result = backend;
        for (LockKitBackendCustomizer customizer : customizers.orderedStream().toList()) {
            result = customizer.customize(result);
        }
        return result;
    }

    /** {@code LockKit.open(lockkit.uri, lockkit.options)}: the schema is created or checked at open. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "lockkit", name = "uri")
    static class FromUri {
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(Backend.class)
        Backend lockKitBackend(LockKitProperties properties, ObjectProvider<LockKitBackendCustomizer> customizers) {
            return customized(LockKit.open(properties.getUri(), properties.getOptions()), customizers);
        }
    }

    /** PostgreSQL on the application's {@code DataSource}: the schema is created or checked at startup. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"io.lockkit.postgresql.PostgresBackend", "javax.sql.DataSource"})
    static class FromDataSource {
        @Bean(destroyMethod = "close")
        @ConditionalOnSingleCandidate(DataSource.class)
        @ConditionalOnMissingBean(Backend.class)
        Backend lockKitBackend(
                DataSource dataSource,
                LockKitProperties properties,
                ObjectProvider<LockKitBackendCustomizer> customizers) {
            LockKitProperties.Postgresql p = properties.getPostgresql();
            PostgresBackend backend = PostgresBackend.builder(dataSource)
                    .variant(variant(p.getVariant()))
                    .tables(tables(p.getSchema()))
                    .namespace(p.getNamespace())
                    .maxConnections(p.getMaxConnections())
                    .build();
            try {
                if (p.isCreateSchema()) {
                    backend.createSchema();
                } else {
                    backend.checkSchema(); // a missing or wrong table fails the startup, naming the fix
                }
            } catch (LockKitException e) {
                backend.close();
                throw new IllegalStateException(
                        "lockkit's schema check at startup failed (with Spring Boot, lockkit.postgresql.create-schema"
                                + "=true creates what is missing): " + e.getMessage(),
                        e);
            } catch (RuntimeException e) {
                backend.close();
                throw e;
            }
            return customized(backend, customizers);
        }

        private static TableNames tables(String schema) {
            TableNames d = TableNames.DEFAULT;
            if (schema.isBlank()) {
                return d;
            }
            String s = schema.trim() + ".";
            return new TableNames(
                    s + d.lockTable(), s + d.rowLockTable(), s + d.versionedTable(), s + d.tokenSequence());
        }

        private static PostgresBackend.Variant variant(String name) {
            try {
                return PostgresBackend.Variant.valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "lockkit.postgresql.variant must be table, advisory or rowlock, was '" + name + "'", e);
            }
        }
    }

    /** Redis on the application's {@code RedissonClient}, which lockkit never shuts down. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"io.lockkit.redis.RedisBackend", "org.redisson.api.RedissonClient"})
    static class FromRedisson {
        @Bean(destroyMethod = "close")
        @ConditionalOnSingleCandidate(RedissonClient.class)
        @ConditionalOnMissingBean(Backend.class)
        Backend lockKitBackend(
                RedissonClient redisson,
                LockKitProperties properties,
                ObjectProvider<LockKitBackendCustomizer> customizers) {
            return customized(
                    RedisBackend.builder(redisson)
                            .prefix(properties.getRedis().getPrefix())
                            .build(),
                    customizers);
        }
    }

    /** ZooKeeper on the application's {@code CuratorFramework}, which lockkit never closes. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = {"io.lockkit.zookeeper.ZooKeeperBackend", "org.apache.curator.framework.CuratorFramework"})
    static class FromCurator {
        @Bean(destroyMethod = "close")
        @ConditionalOnSingleCandidate(CuratorFramework.class)
        @ConditionalOnMissingBean(Backend.class)
        Backend lockKitBackend(
                CuratorFramework curator,
                LockKitProperties properties,
                ObjectProvider<LockKitBackendCustomizer> customizers) {
            return customized(
                    ZooKeeperBackend.builder(curator)
                            .root(properties.getZookeeper().getRoot())
                            .build(),
                    customizers);
        }
    }
}
