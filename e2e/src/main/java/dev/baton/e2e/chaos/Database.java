package dev.baton.e2e.chaos;

import dev.baton.infra.EmbeddedPostgresServer;

import java.sql.Connection;
import java.sql.DriverManager;
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

    long count(String sql) throws SQLException {
        try (Connection connection = connect(); ResultSet rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** First column → second column of every row. */
    Map<String, String> pairs(String sql) throws SQLException {
        Map<String, String> pairs = new LinkedHashMap<>();
        try (Connection connection = connect(); ResultSet rows = connection.createStatement().executeQuery(sql)) {
            while (rows.next()) {
                pairs.put(rows.getString(1), rows.getString(2));
            }
        }
        return pairs;
    }

    private Connection connect() throws SQLException {
        DriverManager.setLoginTimeout(2);
        return DriverManager.getConnection(url, EmbeddedPostgresServer.USER, EmbeddedPostgresServer.PASSWORD);
    }
}
