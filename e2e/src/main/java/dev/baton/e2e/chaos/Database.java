package dev.baton.e2e.chaos;

import dev.baton.infra.EmbeddedPostgresServer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The chaos run's own reads of the system's database: a fresh connection each, so a PostgreSQL restart costs one read. */
final class Database {

    private final String url;

    Database(String url) {
        this.url = url;
    }

    /** The one number {@code sql} selects, with {@code parameters} bound in order. */
    long count(String sql, String... parameters) throws SQLException {
        try (Connection connection = connect(); ResultSet rows = bind(connection, sql, parameters).executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** First column → second column of every row, with {@code parameters} bound in order. */
    Map<String, String> pairs(String sql, String... parameters) throws SQLException {
        Map<String, String> pairs = new LinkedHashMap<>();
        try (Connection connection = connect(); ResultSet rows = bind(connection, sql, parameters).executeQuery()) {
            while (rows.next()) {
                pairs.put(rows.getString(1), rows.getString(2));
            }
        }
        return pairs;
    }

    private static PreparedStatement bind(Connection connection, String sql, String... parameters) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < parameters.length; i++) {
            statement.setString(i + 1, parameters[i]);
        }
        return statement;
    }

    private Connection connect() throws SQLException {
        DriverManager.setLoginTimeout(2);
        return DriverManager.getConnection(url, EmbeddedPostgresServer.USER, EmbeddedPostgresServer.PASSWORD);
    }
}
