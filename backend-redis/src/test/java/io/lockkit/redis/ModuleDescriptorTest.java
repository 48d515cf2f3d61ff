package io.lockkit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.LockKit;
import io.lockkit.redis.internal.RedisBackendProvider;
import io.lockkit.testkit.redis.RedisTestServer;
import java.io.InputStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Requires;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
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
import org.redisson.Redisson;

/**
 * lockkit-backend-redis as the named module {@code io.lockkit.redis}: its compiled descriptor
 * exports the API package only and provides the backend provider, the class-path service file names
 * the same provider, Redisson's module name is the one its jar declares, and a modular application
 * (a module layer of the built classes, the api, Redisson and Redisson's dependencies, over the
 * platform class loader) opens Redis through {@link LockKit#open}'s service loader.
 */
class ModuleDescriptorTest {
    private static final String PROVIDER = "io.lockkit.redis.internal.RedisBackendProvider";

    /** One class of each jar Redisson 3.52 depends on at run time (mvn dependency:tree). */
    private static final List<String> REDISSON_DEPENDENCIES = List.of(
            "io.netty.util.concurrent.Future",
            "io.netty.handler.codec.ByteToMessageDecoder",
            "io.netty.buffer.ByteBuf",
            "io.netty.channel.Channel",
            "io.netty.resolver.AddressResolver",
            "io.netty.resolver.dns.DnsAddressResolverGroup",
            "io.netty.handler.codec.dns.DnsRecord",
            "io.netty.handler.ssl.SslContext",
            "io.netty.channel.unix.Socket",
            "javax.cache.Cache",
            "reactor.core.publisher.Mono",
            "org.reactivestreams.Publisher",
            "io.reactivex.rxjava3.core.Flowable",
            "com.esotericsoftware.kryo.Kryo",
            "com.esotericsoftware.reflectasm.MethodAccess",
            "org.objenesis.Objenesis",
            "com.esotericsoftware.minlog.Log",
            "org.slf4j.LoggerFactory",
            "com.fasterxml.jackson.annotation.JsonProperty",
            "com.fasterxml.jackson.dataformat.yaml.YAMLFactory",
            "org.yaml.snakeyaml.Yaml",
            "com.fasterxml.jackson.core.JsonFactory",
            "com.fasterxml.jackson.databind.ObjectMapper",
            "com.fasterxml.jackson.datatype.jsr310.JavaTimeModule",
            "net.bytebuddy.ByteBuddy",
            "jodd.util.StringUtil");

    private static Path location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static ModuleDescriptor descriptor() throws Exception {
        try (InputStream in =
                Files.newInputStream(location(RedisBackendProvider.class).resolve("module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    @Test
    void theDescriptorExportsTheApiPackageAndProvidesTheBackend() throws Exception {
        ModuleDescriptor d = descriptor();
        assertThat(d.name()).isEqualTo("io.lockkit.redis");
        assertThat(d.exports()).singleElement().satisfies(e -> {
            assertThat(e.source()).isEqualTo("io.lockkit.redis");
            assertThat(e.isQualified()).isFalse();
        });
        assertThat(d.opens()).isEmpty();
        assertThat(d.provides()).singleElement().satisfies(p -> {
            assertThat(p.service()).isEqualTo("io.lockkit.spi.BackendProvider");
            assertThat(p.providers()).containsExactly(PROVIDER);
        });
        assertThat(d.packages()).contains("io.lockkit.redis", "io.lockkit.redis.internal");
        Map<String, Set<Requires.Modifier>> requires =
                d.requires().stream().collect(Collectors.toMap(Requires::name, Requires::modifiers));
        assertThat(requires).containsKeys("io.lockkit", "redisson");
        // RedisBackend implements the api's Backend and its builder takes a RedissonClient: a user's module
        // reads both through this one.
        assertThat(requires.get("io.lockkit")).contains(Requires.Modifier.TRANSITIVE);
        assertThat(requires.get("redisson")).contains(Requires.Modifier.TRANSITIVE);
        assertThat(requires.get("org.jspecify")).containsExactly(Requires.Modifier.STATIC);
    }

    /** {@code redisson} is the name Redisson's jar declares (Automatic-Module-Name), not one derived from its file name. */
    @Test
    void redissonsModuleNameIsDeclaredByItsJar() throws Exception {
        Path jar = location(Redisson.class);
        assertThat(ModuleFinder.of(jar).findAll())
                .singleElement()
                .satisfies(m -> assertThat(m.descriptor().name()).isEqualTo("redisson"));
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getManifest().getMainAttributes().getValue("Automatic-Module-Name"))
                    .isEqualTo("redisson");
        }
    }

    /** Class-path users find the provider through the service file, which names the same class. */
    @Test
    void theServiceFileNamesTheSameProvider() throws Exception {
        Path file = location(RedisBackendProvider.class).resolve("META-INF/services/io.lockkit.spi.BackendProvider");
        assertThat(Files.readString(file, StandardCharsets.UTF_8).strip()).isEqualTo(PROVIDER);
    }

    @Test
    void aModularApplicationOpensRedisThroughTheServiceLoader() throws Exception {
        List<Path> paths = new ArrayList<>(
                List.of(location(RedisBackendProvider.class), location(LockKit.class), location(Redisson.class)));
        for (String dependency : REDISSON_DEPENDENCIES) {
            paths.add(location(Class.forName(dependency)));
        }
        // The application requires io.lockkit; service binding (io.lockkit uses BackendProvider) brings in
        // io.lockkit.redis, which provides it, and io.lockkit.redis brings in what it requires.
        Configuration cf = ModuleLayer.boot()
                .configuration()
                .resolveAndBind(ModuleFinder.of(paths.toArray(Path[]::new)), ModuleFinder.of(), Set.of("io.lockkit"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        Module redis = layer.findModule("io.lockkit.redis").orElseThrow();
        assertThat(redis.isNamed()).isTrue();
        assertThat(redis.getDescriptor().isAutomatic()).isFalse();
        assertThat(redis.isExported("io.lockkit.redis")).isTrue();
        assertThat(redis.isExported("io.lockkit.redis.internal")).isFalse();

        ClassLoader loader = redis.getClassLoader();
        Class<?> lockKit = loader.loadClass("io.lockkit.LockKit");
        assertThat(lockKit.getModule().getName()).isEqualTo("io.lockkit");
        RedisTestServer server = RedisTestServer.get();
        Thread self = Thread.currentThread();
        ClassLoader before = self.getContextClassLoader();
        self.setContextClassLoader(loader);
        try (AutoCloseable backend = (AutoCloseable) lockKit.getMethod("open", String.class, Map.class)
                .invoke(null, server.address(), Map.of("prefix", RedisTestServer.freshPrefix("module")))) {
            assertThat(backend.getClass().getModule()).isSameAs(redis);
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
