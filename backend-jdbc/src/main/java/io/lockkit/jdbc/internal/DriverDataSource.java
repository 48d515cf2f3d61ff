package io.lockkit.jdbc.internal;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * New connections from a JDBC driver for a URL without credentials, which travel as properties: a
 * driver may log the URL it connects with, never its properties. Unpooled (lockkit pools its own
 * connections). A failure whose message, or a cause's, shows a secret property's value (a driver
 * that quotes what it was given) is replaced by one with the secret taken out, its SQLState and
 * error code kept, and no cause. Thread-safe.
 */
public final class DriverDataSource implements DataSource {
    private final Driver driver;
    private final String product;
    private final String url;
    private final Properties properties;

    /**
     * @param product the database's name, for the failure when the driver does not take the URL
     * @param properties credentials and defaults; parameters in {@code url} take precedence
     */
    public DriverDataSource(Driver driver, String product, String url, Properties properties) {
        this.driver = driver;
        this.product = product;
        this.url = url;
        this.properties = properties;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Properties copy = new Properties();
        copy.putAll(properties);
        Connection connection;
        try {
            connection = driver.connect(url, copy);
        } catch (SQLException e) {
            throw withoutSecrets(e);
        }
        if (connection == null) {
            throw new SQLException("not a " + product + " JDBC URL", "08001");
        }
        return connection;
    }

    private SQLException withoutSecrets(SQLException e) {
        List<String> secrets = new ArrayList<>();
        for (String name : properties.stringPropertyNames()) {
            String value = properties.getProperty(name);
            if (JdbcUri.isSecret(name) && value != null && !value.isEmpty()) {
                secrets.add(value);
            }
        }
        boolean shows = false;
        for (Throwable t = e; t != null && !shows; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            shows = secrets.stream().anyMatch(message::contains);
        }
        if (!shows) {
            return e;
        }
        String message = String.valueOf(e.getMessage());
        for (String secret : secrets) {
            message = message.replace(secret, "***");
        }
        return new SQLException(message, e.getSQLState(), e.getErrorCode());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the credentials come from the URI");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // the drivers log through their own logging
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // set from the URI's options when the source is made
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return false;
    }

    @Override
    public String toString() {
        return "DriverDataSource[" + url + "]";
    }
}
