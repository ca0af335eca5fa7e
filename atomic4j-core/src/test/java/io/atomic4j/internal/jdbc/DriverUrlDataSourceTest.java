package io.atomic4j.internal.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The DataSource atomic4j gives its own pool: the driver for the URL, the builder's properties, no URL in errors. */
class DriverUrlDataSourceTest {
    private static final String URL = "jdbc:h2:mem:driver-url-test;DB_CLOSE_DELAY=-1";

    private static DriverUrlDataSource dataSource(String url) {
        Properties properties = new Properties();
        properties.setProperty("user", "owner");
        properties.setProperty("password", "owner-secret");
        return new DriverUrlDataSource(url, properties);
    }

    @Test
    void connectsWithTheBuildersPropertiesOrTheCallersCredentials() throws SQLException {
        DriverUrlDataSource dataSource = dataSource(URL);
        try (Connection owner = dataSource.getConnection()) {   // creates the database, owner its admin
            assertThat(owner.getMetaData().getUserName()).isEqualToIgnoringCase("owner");
        }
        try (Connection owner = dataSource.getConnection("owner", "owner-secret")) {
            assertThat(owner.getMetaData().getUserName()).isEqualToIgnoringCase("owner");
        }
        try (Connection owner = dataSource.getConnection(null, null)) {   // null keeps the builder's value
            assertThat(owner.getMetaData().getUserName()).isEqualToIgnoringCase("owner");
        }
        assertThatThrownBy(() -> dataSource.getConnection("owner", "wrong").close()).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> dataSource.getConnection(null, "wrong").close()).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> dataSource.getConnection("stranger", null).close()).isInstanceOf(SQLException.class);
    }

    @Test
    void aUrlNoDriverAcceptsIsReportedWithoutThePassword() {
        assertThatThrownBy(() -> dataSource("jdbc:nosuchdb://host/app?password=hunter2").getConnection())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("No JDBC driver on the classpath accepts")
                .hasMessageNotContaining("hunter2")
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
    }

    @Test
    void itWrapsNothingAndHasNoLogWriter() throws SQLException {
        DataSource dataSource = dataSource(URL);
        assertThat(dataSource.isWrapperFor(DriverUrlDataSource.class)).isTrue();
        assertThat(dataSource.unwrap(DriverUrlDataSource.class)).isSameAs(dataSource);
        assertThat(dataSource.isWrapperFor(Connection.class)).isFalse();
        assertThatThrownBy(() -> dataSource.unwrap(Connection.class)).isInstanceOf(SQLException.class)
                .hasMessageContaining("java.sql.Connection");
        assertThat(dataSource.getLogWriter()).isNull();
        assertThatThrownBy(dataSource::getParentLogger).isInstanceOf(SQLFeatureNotSupportedException.class);
        assertThat(dataSource.toString()).isEqualTo("DriverUrlDataSource[" + URL + "]");
    }

    @Test
    void theLoginTimeoutIsDriverManagers() {
        DataSource dataSource = dataSource(URL);
        int before = DriverManager.getLoginTimeout();
        try {
            dataSource.setLoginTimeout(before + 7);
            assertThat(DriverManager.getLoginTimeout()).isEqualTo(before + 7);
            assertThat(dataSource.getLoginTimeout()).isEqualTo(before + 7);
        } catch (SQLException e) {
            throw new AssertionError(e);
        } finally {
            DriverManager.setLoginTimeout(before);
        }
    }
}
