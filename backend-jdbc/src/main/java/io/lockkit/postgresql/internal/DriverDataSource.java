package io.lockkit.postgresql.internal;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.postgresql.Driver;

/**
 * New connections from the PostgreSQL driver for a URL without credentials, which travel as
 * properties: the driver logs the URL it connects with, never its properties. Unpooled (lockkit
 * pools its own connections). Thread-safe.
 */
final class DriverDataSource implements DataSource {
    private static final Driver DRIVER = new Driver();

    private final String url;
    private final Properties properties;

    /** @param properties credentials and defaults; parameters in {@code url} take precedence */
    DriverDataSource(String url, Properties properties) {
        this.url = url;
        this.properties = properties;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Properties copy = new Properties();
        copy.putAll(properties);
        Connection connection = DRIVER.connect(url, copy);
        if (connection == null) {
            throw new SQLException("not a PostgreSQL JDBC URL", "08001");
        }
        return connection;
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
        // the driver logs through java.util.logging
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
