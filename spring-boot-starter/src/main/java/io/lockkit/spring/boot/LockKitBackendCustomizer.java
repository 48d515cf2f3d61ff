package io.lockkit.spring.boot;

import io.lockkit.Backend;

/**
 * Wraps the auto-configured backend before it becomes the {@code Backend} bean (the meters do, when
 * Micrometer and {@code lockkit-micrometer} are present). Applied in {@code @Order}.
 */
@FunctionalInterface
public interface LockKitBackendCustomizer {
    Backend customize(Backend backend);
}
