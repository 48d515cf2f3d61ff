package io.lockkit.spring.boot;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code lockkit.*}: where the backend comes from and how the integrations use it. With {@code
 * lockkit.uri} set, the backend is {@code LockKit.open(uri, options)}; without it, it is built on
 * the application's own {@code DataSource}, {@code RedissonClient} or {@code CuratorFramework} bean
 * (the first of those present), with the settings of {@code lockkit.postgresql.*}, {@code
 * lockkit.redis.*} or {@code lockkit.zookeeper.*}.
 */
@ConfigurationProperties("lockkit")
public class LockKitProperties {
    /** A lockkit URI ({@code postgresql://…}, {@code redis://…}, {@code zookeeper://…}, {@code mem:…}). */
    private @Nullable String uri;

    /** Options for {@code uri}, as in the URI's query (each backend's README lists them). */
    private Map<String, String> options = new LinkedHashMap<>();

    /** The lease of each lock of the Spring Integration lock registry. */
    private Duration lease = Duration.ofSeconds(60);

    private final Postgresql postgresql = new Postgresql();
    private final Redis redis = new Redis();
    private final Zookeeper zookeeper = new Zookeeper();

    public @Nullable String getUri() {
        return uri;
    }

    public void setUri(@Nullable String uri) {
        this.uri = uri;
    }

    public Map<String, String> getOptions() {
        return options;
    }

    public void setOptions(Map<String, String> options) {
        this.options = options;
    }

    public Duration getLease() {
        return lease;
    }

    public void setLease(Duration lease) {
        this.lease = lease;
    }

    public Postgresql getPostgresql() {
        return postgresql;
    }

    public Redis getRedis() {
        return redis;
    }

    public Zookeeper getZookeeper() {
        return zookeeper;
    }

    /** {@code lockkit.postgresql.*}: a backend on the application's {@code DataSource}. */
    public static class Postgresql {
        /** {@code table}, {@code advisory} or {@code rowlock}. */
        private String variant = "table";

        /** Create the sequence and tables at startup when missing; otherwise they are checked at startup. */
        private boolean createSchema;

        /** The schema of lockkit's sequence and tables; empty: the connection's search path. */
        private String schema = "";

        /** The namespace of advisory lock ids and of the release channel. */
        private String namespace = "lockkit";

        /** The most connections lockkit takes from the application's pool at once. */
        private int maxConnections = 4;

        public String getVariant() {
            return variant;
        }

        public void setVariant(String variant) {
            this.variant = variant;
        }

        public boolean isCreateSchema() {
            return createSchema;
        }

        public void setCreateSchema(boolean createSchema) {
            this.createSchema = createSchema;
        }

        public String getSchema() {
            return schema;
        }

        public void setSchema(String schema) {
            this.schema = schema;
        }

        public String getNamespace() {
            return namespace;
        }

        public void setNamespace(String namespace) {
            this.namespace = namespace;
        }

        public int getMaxConnections() {
            return maxConnections;
        }

        public void setMaxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
        }
    }

    /** {@code lockkit.redis.*}: a backend on the application's {@code RedissonClient}. */
    public static class Redis {
        /** The prefix of lockkit's keys. */
        private String prefix = "lockkit";

        public String getPrefix() {
            return prefix;
        }

        public void setPrefix(String prefix) {
            this.prefix = prefix;
        }
    }

    /** {@code lockkit.zookeeper.*}: a backend on the application's {@code CuratorFramework}. */
    public static class Zookeeper {
        /** The znode under which lockkit keeps its nodes. */
        private String root = "/lockkit";

        public String getRoot() {
            return root;
        }

        public void setRoot(String root) {
            this.root = root;
        }
    }
}
