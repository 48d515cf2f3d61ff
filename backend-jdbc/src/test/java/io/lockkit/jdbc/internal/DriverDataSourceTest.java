package io.lockkit.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.Properties;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * A driver's failure that quotes a secret property (here a stand-in driver that repeats what it was
 * given) is replaced by one without it, its SQLState and error code kept (the backends classify
 * failures by them) and no cause; any other failure passes unchanged.
 */
class DriverDataSourceTest {
    private static final String SECRET = "p/a#s?s@w:d%";

    /** Fails every connect, its message and its cause's quoting the properties it was given. */
    private static final class Quoting implements Driver {
        @Override
        public Connection connect(String url, Properties info) throws SQLException {
            throw new SQLException(
                    "Access denied (" + info + ")",
                    "28000",
                    1045,
                    new IOException("sent " + info.getProperty("password")));
        }

        @Override
        public boolean acceptsURL(String url) {
            return true;
        }

        @Override
        public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
            return new DriverPropertyInfo[0];
        }

        @Override
        public int getMajorVersion() {
            return 1;
        }

        @Override
        public int getMinorVersion() {
            return 0;
        }

        @Override
        public boolean jdbcCompliant() {
            return false;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }
    }

    @Test
    void aFailureQuotingASecretIsReplacedKeepingItsStateAndCode() {
        Properties properties = new Properties();
        properties.setProperty("user", "app");
        properties.setProperty("password", SECRET);
        properties.setProperty("keyStorePassword", "ks-secret");
        DriverDataSource source = new DriverDataSource(new Quoting(), "Test", "jdbc:test://h/db", properties);
        SQLException e = catchThrowableOfType(SQLException.class, source::getConnection);
        assertThat(e.getMessage())
                .doesNotContain(SECRET)
                .doesNotContain("ks-secret")
                .contains("user=app");
        assertThat(e.getSQLState()).isEqualTo("28000");
        assertThat(e.getErrorCode()).isEqualTo(1045);
        assertThat(e.getCause()).isNull();
        assertThat(source.toString()).isEqualTo("DriverDataSource[jdbc:test://h/db]");
    }

    @Test
    void aFailureShowingNoSecretPassesUnchanged() {
        Properties properties = new Properties();
        properties.setProperty("user", "app");
        DriverDataSource source = new DriverDataSource(new Quoting(), "Test", "jdbc:test://h/db", properties);
        SQLException e = catchThrowableOfType(SQLException.class, source::getConnection);
        assertThat(e.getCause()).isInstanceOf(IOException.class);
        assertThat(e.getMessage()).contains("user=app");
    }
}
