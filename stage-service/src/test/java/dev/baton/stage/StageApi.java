package dev.baton.stage;

import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.lease.LivenessRegistration;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** Small helpers the stage-service tests share: REST calls and direct reads of the real database. */
public final class StageApi {

    public static final String GUARDED_REPO = "acme/guarded";
    public static final String UNGUARDED_REPO = "acme/outside-scope";

    private StageApi() {
    }

    /** A fresh work item key, so tests never see each other's tasks. */
    public static String newTaskId(String prefix) {
        return prefix + "-" + Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000L);
    }

    public static void createTask(String id, String repo, String stage) {
        given().contentType(ContentType.JSON)
                .body("""
                        {"id":"%s","repo":"%s","title":"Test task","stage":"%s"}""".formatted(id, repo, stage))
                .post("/tasks").then().statusCode(201);
    }

    public static Response transition(String id, String from, String to, String actor) {
        return given().contentType(ContentType.JSON)
                .body("""
                        {"from":"%s","to":"%s","actor":"%s","reason":"test","requestId":"%s"}"""
                        .formatted(from, to, actor, UUID.randomUUID()))
                .post("/tasks/" + id + "/transitions");
    }

    /** {@code SELECT count(*)} with one string parameter, over plain JDBC. */
    public static long count(String sql, String parameter) {
        BatonTestResource.Servers s = BatonTestResource.servers();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.pgUser(), s.pgPassword());
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** One string column of the first row, over plain JDBC. */
    public static String text(String sql, String parameter) {
        BatonTestResource.Servers s = BatonTestResource.servers();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.pgUser(), s.pgPassword());
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (Exception e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /**
     * Fails every job still queued, so a test that picks by stage gets its own task's job: the
     * test database is shared by every test class (and profile) of the module.
     */
    public static void drainQueue() {
        execute("UPDATE stage.job SET status = 'failed', detail = 'drained by a test' WHERE status = 'queued'");
    }

    /** A statement that writes, with string parameters, over plain JDBC. @return the rows it changed */
    public static int execute(String sql, String... parameters) {
        BatonTestResource.Servers s = BatonTestResource.servers();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.pgUser(), s.pgPassword());
             PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            return ps.executeUpdate();
        } catch (Exception e) {
            throw new IllegalStateException(sql, e);
        }
    }

    public static String stageOf(String id) {
        return text("SELECT stage FROM stage.task WHERE id = ?", id);
    }

    public static long history(String id) {
        return count("SELECT count(*) FROM stage.stage_history WHERE task_id = ?", id);
    }

    public static long leases(String id) {
        return count("SELECT count(*) FROM stage.transition_lease WHERE task_id = ?", id);
    }

    /** Whether the registration {@code bootId} holds its liveness lock now, as any other replica judges it. */
    public static boolean holdsLivenessLock(UUID bootId) {
        return count("SELECT count(*) FROM stage.instance i WHERE i.boot_id = ?::uuid AND "
                + LivenessRegistration.LIVE_SQL, bootId.toString()) == 1;
    }

    public static long outbox(String id, String eventType) {
        return count("SELECT count(*) FROM stage.outbox WHERE aggregate_id = ? AND event_type = '" + eventType + "'",
                id);
    }
}
