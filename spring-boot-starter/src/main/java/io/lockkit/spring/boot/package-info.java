/**
 * Spring Boot auto-configuration for lockkit: {@link io.lockkit.spring.boot.LockKitAutoConfiguration}
 * (the {@code Backend} bean and its meters) and {@link
 * io.lockkit.spring.boot.LockKitIntegrationsAutoConfiguration} (ShedLock, Spring Integration, health),
 * configured by {@link io.lockkit.spring.boot.LockKitProperties}.
 */
@NullMarked
package io.lockkit.spring.boot;

import org.jspecify.annotations.NullMarked;
