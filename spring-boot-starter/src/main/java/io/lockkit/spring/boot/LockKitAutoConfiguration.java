package io.lockkit.spring.boot;

import io.lockkit.micrometer.LockKitMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The {@code Backend} bean ({@link BackendConfigurations}, in their order), metered when Micrometer,
 * a {@code MeterRegistry} bean and {@code lockkit-micrometer} are present. Runs after the
 * auto-configurations of the beans it may build on.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
            "org.redisson.spring.starter.RedissonAutoConfigurationV2",
            "org.springframework.cloud.zookeeper.ZookeeperAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration"
        })
@EnableConfigurationProperties(LockKitProperties.class)
@Import({
    BackendConfigurations.FromUri.class,
    BackendConfigurations.FromDataSource.class,
    BackendConfigurations.FromRedisson.class,
    BackendConfigurations.FromCurator.class,
    LockKitAutoConfiguration.Metrics.class
})
public class LockKitAutoConfiguration {
    /** The meters of {@code lockkit-micrometer} on the application's registry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"io.lockkit.micrometer.LockKitMetrics", "io.micrometer.core.instrument.MeterRegistry"})
    static class Metrics {
        @Bean
        @ConditionalOnBean(MeterRegistry.class)
        LockKitBackendCustomizer lockKitMetrics(MeterRegistry registry) {
            return backend -> LockKitMetrics.instrument(backend, registry);
        }
    }
}
