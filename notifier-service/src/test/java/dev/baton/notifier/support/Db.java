package dev.baton.notifier.support;

import dev.baton.infra.test.BatonTestResource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/** Plain JDBC reads of the notifier schema, for assertions. */
public final class Db {

    private Db() {
    }

    /** The stored message id of a work item's card, or null. */
    public static Long messageId(String workItem) {
        return query("SELECT message_id FROM notifier.card WHERE work_item = ?", workItem);
    }

    public static Long count(String sql, String arg) {
        return query(sql, arg);
    }

    /** Runs one statement without parameters; the number of rows it changed. */
    public static int execute(String sql) {
        BatonTestResource.Servers s = BatonTestResource.servers();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.pgUser(), s.pgPassword());
             PreparedStatement ps = c.prepareStatement(sql)) {
            return ps.executeUpdate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Long query(String sql, String arg) {
        BatonTestResource.Servers s = BatonTestResource.servers();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.pgUser(), s.pgPassword());
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                long v = rs.getLong(1);
                return rs.wasNull() ? null : v;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
