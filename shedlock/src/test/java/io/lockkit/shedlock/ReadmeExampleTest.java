package io.lockkit.shedlock;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Backend;
import io.lockkit.LockKit;
import io.lockkit.Versioned;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockConfiguration;
import org.junit.jupiter.api.Test;

/** The project README's ShedLock example compiles, runs, and is the code below, word for word. */
class ReadmeExampleTest {
    @Test
    void theExampleRunsAFencedWriteUnderTheLock() throws Exception {
        String uri = "mem:readme-" + UUID.randomUUID();
        try (Backend reader = LockKit.open(uri)) {
            long version = reader.versionedUpdate()
                    .create("report", "draft".getBytes(StandardCharsets.UTF_8))
                    .orElseThrow()
                    .version();
            byte[] report = "final".getBytes(StandardCharsets.UTF_8);
            // readme:begin
            Backend backend = LockKit.open(uri);
            LockKitLockProvider lockProvider = new LockKitLockProvider(backend); // ShedLock's LockProvider bean
            LockConfiguration nightly = new LockConfiguration(
                    Instant.now(), "nightly-report", Duration.ofMinutes(10), Duration.ofMinutes(1));
            new DefaultLockingTaskExecutor(lockProvider)
                    .executeWithLock(
                            (Runnable) () -> {
                                // inside the run: its lease, whose token fences the run's writes
                                long token = LockKitLockProvider.currentLease()
                                        .orElseThrow()
                                        .token();
                                backend.versionedUpdate().compareAndSet("report", version, report, token);
                            },
                            nightly);
            // readme:end
            lockProvider.close();
            backend.close();
            assertThat(reader.versionedUpdate().read("report").map(Versioned::valueAsString))
                    .hasValue("final");
        }
    }

    @Test
    void theReadmeShowsThisCode() throws Exception {
        String test = Files.readString(Path.of("src/test/java/io/lockkit/shedlock/ReadmeExampleTest.java"));
        String code = test.substring(
                        test.indexOf("// readme:begin") + "// readme:begin".length(), test.indexOf("// readme:end"))
                .strip()
                .replaceAll("(?m)^ {12}", "");
        assertThat(Files.readString(Path.of("..", "README.md"))).contains(code);
    }
}
