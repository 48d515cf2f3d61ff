package io.lockkit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.LockKit;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.InputStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Requires;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * lockkit-micrometer as the named module {@code io.lockkit.micrometer}: its compiled descriptor
 * exports the one package and requires the api and Micrometer by their real module names, and a
 * modular application (a module layer of the built classes, the api and Micrometer's jars)
 * instruments a backend and records into a registry.
 */
class ModuleDescriptorTest {
    /** One class of each jar micrometer-core needs at run time. */
    private static final List<String> MICROMETER = List.of(
            "io.micrometer.core.instrument.MeterRegistry",
            "io.micrometer.common.util.StringUtils",
            "io.micrometer.observation.Observation",
            "org.HdrHistogram.Histogram");

    private static Path location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void theDescriptorExportsTheOnePackageAndRequiresTheApiAndMicrometer() throws Exception {
        Path classes = location(LockKitMetrics.class);
        assertThat(classes).as("target/classes").isDirectory();
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertThat(d.name()).isEqualTo("io.lockkit.micrometer");
        assertThat(d.exports()).singleElement().satisfies(e -> {
            assertThat(e.source()).isEqualTo("io.lockkit.micrometer");
            assertThat(e.isQualified()).isFalse();
        });
        assertThat(d.opens()).isEmpty();
        assertThat(d.packages()).containsExactly("io.lockkit.micrometer");
        Map<String, Set<Requires.Modifier>> requires =
                d.requires().stream().collect(Collectors.toMap(Requires::name, Requires::modifiers));
        // instrument(Backend, MeterRegistry) returns a Backend: a user's module reads both through this one.
        assertThat(requires.get("io.lockkit")).contains(Requires.Modifier.TRANSITIVE);
        assertThat(requires.get("micrometer.core")).contains(Requires.Modifier.TRANSITIVE);
        assertThat(requires.get("org.jspecify")).containsExactly(Requires.Modifier.STATIC);
    }

    /** {@code micrometer.core} is the name micrometer-core's jar declares, not one derived from its file name. */
    @Test
    void micrometersModuleNameIsDeclaredByItsJar() throws Exception {
        Path jar = location(MeterRegistry.class);
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getManifest().getMainAttributes().getValue("Automatic-Module-Name"))
                    .isEqualTo("micrometer.core");
        }
        assertThat(ModuleFinder.of(jar).findAll())
                .singleElement()
                .satisfies(m -> assertThat(m.descriptor().name()).isEqualTo("micrometer.core"));
    }

    @Test
    void aModularApplicationInstrumentsABackend() throws Exception {
        List<Path> paths = new ArrayList<>(List.of(location(LockKitMetrics.class), location(LockKit.class)));
        for (String type : MICROMETER) {
            paths.add(location(Class.forName(type)));
        }
        Configuration cf = ModuleLayer.boot()
                .configuration()
                .resolve(
                        ModuleFinder.of(paths.toArray(Path[]::new)),
                        ModuleFinder.of(),
                        Set.of("io.lockkit.micrometer"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        Module metrics = layer.findModule("io.lockkit.micrometer").orElseThrow();
        assertThat(metrics.getDescriptor().isAutomatic()).isFalse();
        assertThat(metrics.isExported("io.lockkit.micrometer")).isTrue();

        ClassLoader loader = metrics.getClassLoader();
        Class<?> backendType = loader.loadClass("io.lockkit.Backend");
        Class<?> registryType = loader.loadClass("io.micrometer.core.instrument.MeterRegistry");
        assertThat(registryType.getModule().getName()).isEqualTo("micrometer.core");
        Object registry = loader.loadClass("io.micrometer.core.instrument.simple.SimpleMeterRegistry")
                .getConstructor()
                .newInstance();
        Thread self = Thread.currentThread();
        ClassLoader before = self.getContextClassLoader();
        self.setContextClassLoader(loader); // LockKit.open's service loader looks there
        Object raw;
        try {
            raw = loader.loadClass("io.lockkit.LockKit")
                    .getMethod("open", String.class)
                    .invoke(null, "mem:");
        } finally {
            self.setContextClassLoader(before);
        }
        assertThat(raw.getClass().getModule().getName()).isEqualTo("io.lockkit");
        Object backend = loader.loadClass("io.lockkit.micrometer.LockKitMetrics")
                .getMethod("instrument", backendType, registryType)
                .invoke(null, raw, registry);
        try {
            Object jobLock = backendType.getMethod("jobLock").invoke(backend);
            Optional<?> lease = (Optional<?>) loader.loadClass("io.lockkit.JobLock")
                    .getMethod("tryAcquire", String.class, Duration.class)
                    .invoke(jobLock, "job-42", Duration.ofSeconds(5));
            assertThat(lease).isPresent();
            assertThat(loader.loadClass("io.lockkit.Lease").getMethod("release").invoke(lease.get()))
                    .isEqualTo(true);
            List<?> meters = (List<?>) registryType.getMethod("getMeters").invoke(registry);
            assertThat(meters).hasSize(3); // the acquire, the hold and the release
        } finally {
            ((AutoCloseable) backend).close();
        }
    }
}
