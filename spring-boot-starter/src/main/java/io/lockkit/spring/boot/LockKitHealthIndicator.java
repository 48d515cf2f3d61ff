package io.lockkit.spring.boot;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * UP when the store answers a read of one key (one round trip, nothing written), DOWN with the
 * backend's message when it cannot be reached (E2 messages carry no credentials).
 */
public class LockKitHealthIndicator extends AbstractHealthIndicator {
    /** The key read by the check; it need not exist. */
    public static final String PROBE_KEY = "lockkit-health-probe";

    private final Backend backend;

    public LockKitHealthIndicator(Backend backend) {
        super("lockkit health check failed");
        this.backend = backend;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetail("backend", backend.name());
        try {
            backend.versionedUpdate().read(PROBE_KEY);
            builder.up();
        } catch (BackendUnavailableException e) {
            builder.down().withDetail("error", e.getMessage());
        }
    }
}
