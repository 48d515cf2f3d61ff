package io.lockkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * lockkit-api as a named module, resolved in a module layer as a modular application would: it
 * exports the API, the SPI and mem (never an internal package), and {@link LockKit#open} finds the
 * mem provider through the descriptor's {@code uses}/{@code provides}.
 */
class ModuleDescriptorTest {
    private static Path classes() throws Exception {
        return Path.of(LockKit.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    }

    @Test
    void exportsTheApiTheSpiAndMemOnly() throws Exception {
        ModuleDescriptor d =
                ModuleFinder.of(classes()).find("io.lockkit").orElseThrow().descriptor();
        assertThat(d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("io.lockkit", "io.lockkit.spi", "io.lockkit.mem");
        assertThat(d.exports()).noneMatch(ModuleDescriptor.Exports::isQualified);
        assertThat(d.uses()).containsExactly("io.lockkit.spi.BackendProvider");
        assertThat(d.provides()).singleElement().satisfies(p -> assertThat(p.providers())
                .containsExactly("io.lockkit.mem.internal.MemBackendProvider"));
        assertThat(d.packages()).contains("io.lockkit.internal", "io.lockkit.mem.internal");
    }

    @Test
    void aModularApplicationOpensMemThroughTheServiceLoader() throws Exception {
        Configuration cf = ModuleLayer.boot()
                .configuration()
                .resolveAndBind(ModuleFinder.of(classes()), ModuleFinder.of(), Set.of("io.lockkit"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        Module api = layer.findModule("io.lockkit").orElseThrow();
        assertThat(api.isNamed()).isTrue();
        assertThat(api.isExported("io.lockkit.internal")).isFalse();

        ClassLoader loader = api.getClassLoader();
        Class<?> lockKit = loader.loadClass("io.lockkit.LockKit");
        assertThat(lockKit.getModule()).isSameAs(api);
        Thread self = Thread.currentThread();
        ClassLoader before = self.getContextClassLoader();
        self.setContextClassLoader(loader);
        try (AutoCloseable backend =
                (AutoCloseable) lockKit.getMethod("open", String.class).invoke(null, "mem:modular")) {
            Method jobLock = backend.getClass().getMethod("jobLock");
            Object lock = jobLock.invoke(backend);
            assertThat(lock.getClass().getModule()).isSameAs(api);
        } finally {
            self.setContextClassLoader(before);
        }
    }
}
