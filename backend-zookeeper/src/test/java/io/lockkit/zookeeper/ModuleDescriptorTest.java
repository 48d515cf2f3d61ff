package io.lockkit.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.LockKit;
import io.lockkit.testkit.zookeeper.ZooKeeperTestServer;
import io.lockkit.zookeeper.internal.ZooKeeperBackendProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.jute.Record;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lockkit-backend-zookeeper ships no module descriptor (see the README's "Java modules"): ZooKeeper
 * 3.9's jars cannot be modules (a split package between {@code zookeeper} and {@code
 * zookeeper-jute}), so a descriptor, which could only {@code requires zookeeper}, would never
 * resolve. The jar is the automatic module {@code io.lockkit.zookeeper} instead: its service file
 * becomes its {@code provides}, and a modular application (lockkit and Curator in a module layer,
 * ZooKeeper on the class path) opens ZooKeeper through {@link LockKit#open}'s service loader.
 */
class ModuleDescriptorTest {
    private static final String PROVIDER = "io.lockkit.zookeeper.internal.ZooKeeperBackendProvider";
    /** The jar's Automatic-Module-Name: the pom's module.name, which the jar plugin writes into the manifest. */
    private static final String NAME = "io.lockkit.zookeeper";

    @TempDir
    Path tmp;

    private static Path location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** target/classes as the jar the build makes of it: the same files, the same Automatic-Module-Name. */
    private Path jar() throws Exception {
        Path classes = location(ZooKeeperBackendProvider.class);
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Automatic-Module-Name", System.getProperty("lockkit.module.name"));
        Path jar = tmp.resolve("lockkit-backend-zookeeper.jar");
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest);
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new IOException("cannot write " + jar, e);
        }
        return jar;
    }

    @Test
    void noDescriptorIsShippedAndTheServiceFileNamesTheProvider() throws Exception {
        Path classes = location(ZooKeeperBackendProvider.class);
        assertThat(classes.resolve("module-info.class")).doesNotExist();
        Path file = classes.resolve("META-INF/services/io.lockkit.spi.BackendProvider");
        assertThat(Files.readString(file, StandardCharsets.UTF_8).strip()).isEqualTo(PROVIDER);
    }

    @Test
    void theJarIsTheAutomaticModuleIoLockkitZookeeperProvidingTheBackend() throws Exception {
        assertThat(System.getProperty("lockkit.module.name")).isEqualTo(NAME);
        ModuleReference module = ModuleFinder.of(jar()).find(NAME).orElseThrow();
        ModuleDescriptor d = module.descriptor();
        assertThat(d.isAutomatic()).isTrue();
        assertThat(d.packages()).containsExactlyInAnyOrder("io.lockkit.zookeeper", "io.lockkit.zookeeper.internal");
        assertThat(d.provides()).singleElement().satisfies(p -> {
            assertThat(p.service()).isEqualTo("io.lockkit.spi.BackendProvider");
            assertThat(p.providers()).containsExactly(PROVIDER);
        });
    }

    /**
     * Why there is no descriptor. When this fails, ZooKeeper's jars resolve as modules: ship a
     * module-info that requires them (by the names they then declare) and turn this test around.
     */
    @Test
    void zookeepersJarsCannotBeModules() throws Exception {
        ModuleFinder finder = ModuleFinder.of(location(ZooKeeper.class), location(Record.class));
        assertThat(finder.findAll())
                .extracting(m -> m.descriptor().name())
                .containsExactlyInAnyOrder("zookeeper", "zookeeper.jute");
        assertThat(finder.findAll()).allSatisfy(m -> assertThat(m.descriptor().isAutomatic())
                .as(
                        "%s declares no module name: it is derived from the jar's file name",
                        m.descriptor().name())
                .isTrue());
        assertThatThrownBy(() -> ModuleLayer.boot()
                        .configuration()
                        .resolve(finder, ModuleFinder.of(), Set.of("zookeeper", "zookeeper.jute")))
                .isInstanceOf(ResolutionException.class)
                .hasMessageContaining("org.apache.zookeeper.server");
        // Curator's jars declare no name either.
        for (Class<?> curator : List.of(CuratorFramework.class, ZKPaths.class)) {
            try (var jar = new java.util.jar.JarFile(location(curator).toFile())) {
                assertThat(jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name"))
                        .as(jar.getName())
                        .isNull();
            }
        }
    }

    @Test
    void aModularApplicationOpensZooKeeperThroughTheServiceLoader() throws Exception {
        ModuleFinder finder = ModuleFinder.of(
                jar(), location(LockKit.class), location(CuratorFramework.class), location(ZKPaths.class));
        // The application requires io.lockkit; service binding (io.lockkit uses BackendProvider) brings in the
        // automatic module io.lockkit.zookeeper, which provides it, and with it every automatic module (Curator).
        Configuration cf =
                ModuleLayer.boot().configuration().resolveAndBind(finder, ModuleFinder.of(), Set.of("io.lockkit"));
        // ZooKeeper, Guava and SLF4J stay on the class path, which the automatic modules read.
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getSystemClassLoader());
        Module zookeeper = layer.findModule(NAME).orElseThrow();
        assertThat(zookeeper.getDescriptor().isAutomatic()).isTrue();
        assertThat(layer.findModule("curator.framework")).isPresent();

        ClassLoader loader = zookeeper.getClassLoader();
        Class<?> lockKit = loader.loadClass("io.lockkit.LockKit");
        assertThat(lockKit.getModule().getName()).isEqualTo("io.lockkit");
        assertThat(lockKit.getModule().getLayer()).isSameAs(layer);
        String uri = "zookeeper://" + ZooKeeperTestServer.shared().connectString() + "/module-" + System.nanoTime()
                + "?timeout=5s";
        Thread self = Thread.currentThread();
        ClassLoader before = self.getContextClassLoader();
        self.setContextClassLoader(loader);
        try (AutoCloseable backend = (AutoCloseable)
                lockKit.getMethod("open", String.class, Map.class).invoke(null, uri, Map.of())) {
            assertThat(backend.getClass().getModule()).isSameAs(zookeeper);
            Object jobLock =
                    loader.loadClass("io.lockkit.Backend").getMethod("jobLock").invoke(backend);
            Optional<?> lease = (Optional<?>) loader.loadClass("io.lockkit.JobLock")
                    .getMethod("tryAcquire", String.class, Duration.class)
                    .invoke(jobLock, "job-42", Duration.ofSeconds(5));
            assertThat(lease).isPresent();
            assertThat(loader.loadClass("io.lockkit.Lease").getMethod("release").invoke(lease.get()))
                    .isEqualTo(true);
        } finally {
            self.setContextClassLoader(before);
        }
    }
}
