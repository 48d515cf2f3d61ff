package io.lockkit.spring.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Backend;
import io.lockkit.LockKit;
import io.lockkit.Versioned;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.locks.Lock;
import org.junit.jupiter.api.Test;

/** The project README's Spring Integration example compiles, runs, and is the code below, word for word. */
class ReadmeExampleTest {
    @Test
    void theExampleWritesUnderTheLockWithItsToken() throws Exception {
        String uri = "mem:readme-" + UUID.randomUUID();
        try (Backend reader = LockKit.open(uri)) {
            long version = reader.versionedUpdate()
                    .create("orders/42", "NEW".getBytes(StandardCharsets.UTF_8))
                    .orElseThrow()
                    .version();
            byte[] shipped = "SHIPPED".getBytes(StandardCharsets.UTF_8);
            // readme:begin
            Backend backend = LockKit.open(uri);
            LockKitLockRegistry registry = new LockKitLockRegistry(backend, Duration.ofSeconds(30));
            Lock lock = registry.obtain("orders/42"); // a java.util.concurrent.locks.Lock, held by this thread
            lock.lock();
            try {
                long token = registry.currentLease("orders/42").orElseThrow().token();
                backend.versionedUpdate().compareAndSet("orders/42", version, shipped, token);
            } finally {
                lock.unlock();
            }
            // readme:end
            backend.close();
            assertThat(reader.versionedUpdate().read("orders/42").map(Versioned::valueAsString))
                    .hasValue("SHIPPED");
        }
    }

    @Test
    void theReadmeShowsThisCode() throws Exception {
        String test = Files.readString(Path.of("src/test/java/io/lockkit/spring/integration/ReadmeExampleTest.java"));
        String code = test.substring(
                        test.indexOf("// readme:begin") + "// readme:begin".length(), test.indexOf("// readme:end"))
                .strip()
                .replaceAll("(?m)^ {12}", "");
        assertThat(Files.readString(Path.of("..", "README.md"))).contains(code);
    }
}
