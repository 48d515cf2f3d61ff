package io.lockkit.postgresql.internal;

import io.lockkit.jdbc.internal.JdbcUri;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.postgresql.PGProperty;

/**
 * A {@code jdbc:postgresql:} or {@code postgresql://} URI taken apart by structure: the JDBC URL
 * with no credential and no lockkit option left in it, the credentials as driver properties, and
 * the lockkit options of its query. Users write passwords raw, so a password may hold {@code /},
 * {@code #}, {@code ?} or {@code @} ({@link #userInfoEnd}); a secret query parameter ({@code
 * password}, {@code sslpassword}, any name ending in password, passwd, pass, pwd, secret, token, key or
 * credential(s)) runs to
 * the next {@code &}. Both are percent-decoded only, never form-decoded ({@code +} stays {@code +}).
 * The driver, which logs the URL it is given, never sees them in it.
 *
 * <p>Each query parameter is a lockkit option (a name in the provider's list, which wins over a
 * driver property of the same name, {@code connectTimeout}), or one of pgjdbc's own connection
 * properties ({@link PGProperty}), which stays in the URL for the driver, or neither: then it is
 * kept with the options, which reject it by name. The structure is {@link JdbcUri}'s, shared with
 * MariaDB; what is PostgreSQL's is the dialect here.
 *
 * @param jdbcUrl the URL for the driver, without user info, secret parameters or lockkit options
 * @param credentials {@code user}, {@code password} and the secret parameters, decoded
 * @param options the query's parameters that are not the driver's, percent-decoded, in order: lockkit
 *     options, and unknown names (a secret-looking one with an empty value, its value never kept)
 * @param problems what is wrong with the query's parameters (given twice, a broken {@code %}
 *     escape, a host or port given as a parameter), each naming the parameter and never a secret
 */
record PgUri(String jdbcUrl, Properties credentials, Map<String, String> options, List<String> problems) {
    private static final JdbcUri DIALECT = new JdbcUri(
            "PostgreSQL",
            "jdbc:postgresql:",
            "postgresql://",
            5432,
            name -> PGProperty.forName(name) != null ? name : null,
            // The driver's own names for what the URL's authority and path say.
            Set.of(PGProperty.PG_HOST.getName(), PGProperty.PG_PORT.getName(), PGProperty.PG_DBNAME.getName()),
            hosts -> "the driver needs one (jdbc:postgresql://" + hosts
                    + "/database; a '/' alone connects to the database named as the user)");

    /** {@link #parse(String, Collection)} with the provider's options. */
    static PgUri parse(String uri) {
        return parse(uri, PostgresBackendProvider.OPTIONS);
    }

    /**
     * Takes {@code uri} apart; {@code lockkitOptions} are the names its query may give to lockkit.
     *
     * @throws IllegalArgumentException when {@code uri} is not one of the two forms, or its hosts,
     *     ports or database path are malformed, or its hosts cannot be told from its user info;
     *     the message names the bad part and why, never a password
     */
    static PgUri parse(String uri, Collection<String> lockkitOptions) {
        JdbcUri.Parsed p = DIALECT.parse(uri, lockkitOptions);
        return new PgUri(p.jdbcUrl(), p.credentials(), p.options(), p.problems());
    }

    /** Percent-decoding only: {@code %XX} becomes its byte, anything else (a {@code +}, a lone {@code %}) stays. */
    static String decode(String s) {
        return JdbcUri.decode(s);
    }

    @Override
    public String toString() {
        return "PgUri[" + jdbcUrl + ", credentials: " + credentials.stringPropertyNames() + ", options: "
                + options.keySet() + "]";
    }
}
