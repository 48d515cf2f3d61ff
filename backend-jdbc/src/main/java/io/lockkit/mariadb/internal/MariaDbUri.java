package io.lockkit.mariadb.internal;

import io.lockkit.jdbc.internal.JdbcUri;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.mariadb.jdbc.Configuration;
import org.mariadb.jdbc.export.HaMode;

/**
 * A {@code jdbc:mariadb:} or {@code mariadb://} URI taken apart by structure ({@link JdbcUri}, shared
 * with PostgreSQL): the JDBC URL with no credential and no lockkit option left in it, the
 * credentials as driver properties, and the lockkit options of its query. A password may hold
 * {@code /}, {@code #}, {@code ?} or {@code @}, raw or percent-encoded (percent-decoded only,
 * {@code +} stays {@code +}); the driver never gets it in the URL.
 *
 * <p>Each query parameter is a lockkit option, or one of Connector/J's own connection options
 * ({@link #driverName}), which stays in the URL for the driver (a secret one, such as {@code
 * keyStorePassword}, travels as a property), or neither: then it is kept with the options, which
 * reject it by name. A high-availability mode ({@code jdbc:mariadb:sequential://…}) is kept.
 *
 * @param jdbcUrl the URL for the driver, without user info, secret parameters or lockkit options
 * @param credentials {@code user}, {@code password} and the driver's secret options, decoded
 * @param options the query's parameters that are not the driver's, in order
 * @param problems what is wrong with the query's parameters, each naming the parameter, never a secret
 */
record MariaDbUri(String jdbcUrl, Properties credentials, Map<String, String> options, List<String> problems) {
    static final String JDBC = "jdbc:mariadb:";
    static final String URL = "mariadb://";

    /**
     * Connector/J's {@code org.mariadb.jdbc.util.options.OptionAliases}, which its module does not
     * export (Connector/J 3.5.3; {@code MariaDbUriTest} checks that they agree).
     */
    static final Map<String, String> ALIASES = Map.of(
            "databaseterm", "useCatalogTerm",
            "nullcatalogmeanscurrent", "nullDatabaseMeansCurrent",
            "clientcertificatekeystoreurl", "keyStore",
            "clientcertificatekeystorepassword", "keyStorePassword",
            "clientcertificatekeystoretype", "keyStoreType",
            "trustcertificatekeystoreurl", "trustStore",
            "trustcertificatekeystorepassword", "trustStorePassword",
            "trustcertificatekeystoretype", "trustStoreType");

    private static final Set<String> LEGACY =
            Set.of("useSsl", "useSSL", "trustServerCertificate", "disableSslHostnameVerification");

    /**
     * Connector/J's option names, lower case, to their own spelling: it matches a name against the
     * fields of {@link Configuration.Builder} ignoring case ({@code Configuration.parse}), after
     * its aliases ({@link #ALIASES}); the legacy TLS names it reads besides ({@code useSsl}, …) are
     * matched exactly, as it does.
     */
    private static final Map<String, String> DRIVER_OPTIONS = driverOptions();

    /** {@code jdbc:mariadb:<mode>://}: a high-availability mode before the authority. */
    private static final Pattern MODE = Pattern.compile("jdbc:mariadb:([A-Za-z][A-Za-z_\\-]*):(//.*)", Pattern.DOTALL);

    private static final JdbcUri DIALECT = new JdbcUri(
            "MariaDB",
            JDBC,
            URL,
            3306,
            MariaDbUri::driverName,
            // The driver's own name for what the URL's path says (the hosts have none it reads from the query).
            Set.of("database"),
            null); // jdbc:mariadb://host connects with no database selected, as mariadb://host does

    /** {@link #parse(String, Collection)} with the provider's options. */
    static MariaDbUri parse(String uri) {
        return parse(uri, MariaDbBackendProvider.OPTIONS);
    }

    /**
     * Takes {@code uri} apart; {@code lockkitOptions} are the names its query may give to lockkit.
     *
     * @throws IllegalArgumentException when {@code uri} is not one of the two forms, or its hosts,
     *     ports or path are malformed, or its hosts cannot be told from its user info; the message
     *     names the bad part and why, never a password
     */
    static MariaDbUri parse(String uri, Collection<String> lockkitOptions) {
        String mode = null;
        String plain = uri;
        Matcher m = MODE.matcher(uri);
        if (m.matches()) {
            mode = m.group(1);
            try {
                HaMode.from(mode);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "not a MariaDB URI: '" + mode + "' before '//' is no high-availability"
                                + " mode of the driver (replication, sequential, loadbalance, load-balance-read); the rest of"
                                + " the URI is not shown, as it may hold a password");
            }
            plain = JDBC + m.group(2);
        }
        JdbcUri.Parsed p = DIALECT.parse(plain, lockkitOptions);
        String jdbcUrl =
                mode == null ? p.jdbcUrl() : JDBC + mode + ":" + p.jdbcUrl().substring(JDBC.length());
        return new MariaDbUri(jdbcUrl, p.credentials(), p.options(), p.problems());
    }

    /** Connector/J's own spelling of the connection option {@code name}, or null when it has none. */
    static @Nullable String driverName(String name) {
        if (LEGACY.contains(name)) {
            return name;
        }
        return DRIVER_OPTIONS.get(name.toLowerCase(Locale.ROOT));
    }

    private static Map<String, String> driverOptions() {
        Map<String, String> names = new TreeMap<>();
        for (var field : Configuration.Builder.class.getDeclaredFields()) {
            String name = field.getName();
            if (!name.startsWith("_") && !name.startsWith("$") && !field.isSynthetic()) {
                names.put(name.toLowerCase(Locale.ROOT), name);
            }
        }
        ALIASES.forEach((alias, name) -> names.put(alias.toLowerCase(Locale.ROOT), name));
        return Map.copyOf(names);
    }

    @Override
    public String toString() {
        return "MariaDbUri[" + jdbcUrl + ", credentials: " + credentials.stringPropertyNames() + ", options: "
                + options.keySet() + "]";
    }
}
