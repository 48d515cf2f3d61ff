package io.lockkit.spring.boot;

import io.lockkit.Backend;
import io.lockkit.shedlock.LockKitLockProvider;
import io.lockkit.spring.integration.LockKitLockRegistry;
import net.javacrumbs.shedlock.core.LockProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.integration.support.locks.LockRegistry;

/**
 * What uses the {@code Backend} bean, each when its library is present and the application has not
 * defined its own: ShedLock's {@code LockProvider} (with {@code shedlock-spring}), Spring
 * Integration's {@code LockRegistry}, and the {@code lockkit} health indicator (with Spring Boot's
 * actuator; {@code management.health.lockkit.enabled=false}, or {@code
 * management.health.defaults.enabled=false} without it, turns it off).
 */
@AutoConfiguration(after = LockKitAutoConfiguration.class)
@Import({
    LockKitIntegrationsAutoConfiguration.ShedLock.class,
    LockKitIntegrationsAutoConfiguration.Integration.class,
    LockKitIntegrationsAutoConfiguration.Health.class
})
public class LockKitIntegrationsAutoConfiguration {
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = {
                "io.lockkit.shedlock.LockKitLockProvider",
                "net.javacrumbs.shedlock.spring.annotation.EnableSchedulerLock"
            })
    static class ShedLock {
        @Bean(destroyMethod = "close")
        @ConditionalOnBean(Backend.class)
        @ConditionalOnMissingBean(LockProvider.class)
        LockKitLockProvider lockKitLockProvider(Backend backend) {
            return new LockKitLockProvider(backend);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = {
                "io.lockkit.spring.integration.LockKitLockRegistry",
                "org.springframework.integration.support.locks.LockRegistry"
            })
    static class Integration {
        @Bean
        @ConditionalOnBean(Backend.class)
        @ConditionalOnMissingBean(LockRegistry.class)
        LockKitLockRegistry lockKitLockRegistry(Backend backend, LockKitProperties properties) {
            return new LockKitLockRegistry(backend, properties.getLease());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
    @ConditionalOnExpression("${management.health.lockkit.enabled:${management.health.defaults.enabled:true}}")
    static class Health {
        @Bean
        @ConditionalOnBean(Backend.class)
        @ConditionalOnMissingBean(name = "lockkitHealthIndicator")
        LockKitHealthIndicator lockkitHealthIndicator(Backend backend) {
            return new LockKitHealthIndicator(backend);
        }
    }
}
