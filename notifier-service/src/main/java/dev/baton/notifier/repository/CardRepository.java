package dev.baton.notifier.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;

/**
 * The card per work item. Facts are upserted from events; the message columns change only through
 * one self-checking statement each ({@code WHERE version = $n}): 1 row = this replica owns the
 * step, 0 rows = another replica got there first, more than 1 = a bug (the key is the primary key).
 */
@ApplicationScoped
public class CardRepository {

    /** Stage changes: a stage with an older stage-service version never overwrites a newer one. */
    static final String UPSERT_FACTS = """
            INSERT INTO notifier.card (work_item, title, repo, stage, stage_version, updated_at)
            VALUES ($1, $2, $3, $4, $5, now())
            ON CONFLICT (work_item) DO UPDATE SET
                title = COALESCE(EXCLUDED.title, card.title),
                repo = COALESCE(EXCLUDED.repo, card.repo),
                stage = CASE
                    WHEN EXCLUDED.stage IS NULL THEN card.stage
                    WHEN EXCLUDED.stage_version IS NULL OR card.stage_version IS NULL
                         OR EXCLUDED.stage_version >= card.stage_version THEN EXCLUDED.stage
                    ELSE card.stage END,
                stage_version = GREATEST(EXCLUDED.stage_version, card.stage_version),
                updated_at = now()""";

    static final String UPSERT_PULL_REQUEST = """
            INSERT INTO notifier.card (work_item, pr_number, pr_url, updated_at) VALUES ($1, $2, $3, now())
            ON CONFLICT (work_item) DO UPDATE SET
                pr_number = COALESCE(EXCLUDED.pr_number, card.pr_number),
                pr_url = COALESCE(EXCLUDED.pr_url, card.pr_url),
                updated_at = now()""";

    static final String UPSERT_JOB = """
            INSERT INTO notifier.card (work_item, job_stage, job_status, updated_at) VALUES ($1, $2, $3, now())
            ON CONFLICT (work_item) DO UPDATE SET
                job_stage = COALESCE(EXCLUDED.job_stage, card.job_stage),
                job_status = EXCLUDED.job_status,
                updated_at = now()""";

    static final String ENSURE = """
            INSERT INTO notifier.card (work_item) VALUES ($1) ON CONFLICT (work_item) DO NOTHING""";

    static final String FIND = """
            SELECT work_item, title, repo, pr_number, pr_url, stage, job_stage, job_status, chat_id, message_id,
                   text_hash, sent_at, claimed_until, version
            FROM notifier.card WHERE work_item = $1""";

    /** Take the card for one Telegram exchange: only from the version read, only if nobody holds it. */
    static final String CLAIM = """
            UPDATE notifier.card SET claimed_until = $3, version = version + 1
            WHERE work_item = $1 AND version = $2 AND (claimed_until IS NULL OR claimed_until <= $4)
            RETURNING version""";

    /** Point the card at a message just sent; the CAS makes two replicas never both repoint. */
    static final String RECORD_SENT = """
            UPDATE notifier.card SET chat_id = $3, message_id = $4, text_hash = $5, sent_at = $6,
                   claimed_until = NULL, version = version + 1
            WHERE work_item = $1 AND version = $2""";

    static final String RECORD_EDITED = """
            UPDATE notifier.card SET text_hash = $3, claimed_until = NULL, version = version + 1
            WHERE work_item = $1 AND version = $2""";

    static final String RELEASE = """
            UPDATE notifier.card SET claimed_until = NULL, version = version + 1
            WHERE work_item = $1 AND version = $2""";

    /**
     * The card's state changed: it waits for its chat's sender (its place in line is kept if it was
     * waiting), and the sender's call continues the trace of this, the latest, change.
     */
    static final String MARK_PENDING = """
            UPDATE notifier.card SET pending_since = COALESCE(pending_since, now()), state_seq = state_seq + 1,
                   trace_parent = $2
            WHERE work_item = $1""";

    /** The card that has waited longest: fair across work items, however many updates each one gets. */
    static final String NEXT_PENDING = """
            SELECT work_item, state_seq, trace_parent FROM notifier.card
            WHERE pending_since IS NOT NULL ORDER BY pending_since, work_item LIMIT 1""";

    /** Telegram shows the state that was read: done, unless the state changed since (then it stays pending). */
    static final String CLEAR_PENDING = """
            UPDATE notifier.card SET pending_since = NULL WHERE work_item = $1 AND state_seq = $2""";

    /** Telegram did not take it: to the back of the line, nothing lost. */
    static final String DEFER_PENDING = """
            UPDATE notifier.card SET pending_since = now() WHERE work_item = $1 AND pending_since IS NOT NULL""";

    static final String BACKLOG = """
            SELECT count(*) AS cards, min(pending_since) AS oldest FROM notifier.card WHERE pending_since IS NOT NULL""";

    /**
     * A card waiting for its sender: the state sequence it was read at, and the traceparent of the
     * change that made it wait (null when tracing was off).
     */
    public record Pending(String workItem, long stateSeq, String traceParent) {
    }

    /** How many cards wait, and since when the oldest does (null when none). */
    public record Backlog(long cards, Instant oldest) {
    }

    private final Pool pool;

    public CardRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> upsertFacts(SqlClient conn, String workItem, String title, String repo, String stage, Long stageVersion) {
        return conn.preparedQuery(UPSERT_FACTS).execute(Tuple.from(Arrays.asList(workItem, title, repo, stage, stageVersion)))
                .replaceWithVoid();
    }

    public Uni<Void> upsertPullRequest(SqlClient conn, String workItem, Long number, String url) {
        return conn.preparedQuery(UPSERT_PULL_REQUEST).execute(Tuple.from(Arrays.asList(workItem, number, url)))
                .replaceWithVoid();
    }

    public Uni<Void> upsertJob(SqlClient conn, String workItem, String stage, String status) {
        return conn.preparedQuery(UPSERT_JOB).execute(Tuple.from(Arrays.asList(workItem, stage, status)))
                .replaceWithVoid();
    }

    public Uni<Void> ensure(SqlClient conn, String workItem) {
        return conn.preparedQuery(ENSURE).execute(Tuple.of(workItem)).replaceWithVoid();
    }

    public Uni<Void> markPending(SqlClient conn, String workItem, String traceParent) {
        return conn.preparedQuery(MARK_PENDING).execute(Tuple.of(workItem, traceParent)).replaceWithVoid();
    }

    public Uni<Optional<Pending>> nextPending() {
        return pool.preparedQuery(NEXT_PENDING).execute().map(rows -> {
            var it = rows.iterator();
            if (!it.hasNext()) {
                return Optional.empty();
            }
            Row row = it.next();
            return Optional.of(new Pending(row.getString("work_item"), row.getLong("state_seq"),
                    row.getString("trace_parent")));
        });
    }

    /** @return false when the state changed after it was read: the card stays pending */
    public Uni<Boolean> clearPending(Pending pending) {
        return pool.preparedQuery(CLEAR_PENDING).execute(Tuple.of(pending.workItem(), pending.stateSeq()))
                .map(CardRepository::single);
    }

    public Uni<Void> deferPending(String workItem) {
        return pool.preparedQuery(DEFER_PENDING).execute(Tuple.of(workItem)).replaceWithVoid();
    }

    public Uni<Backlog> backlog() {
        return pool.query(BACKLOG).execute().map(rows -> {
            Row row = rows.iterator().next();
            return new Backlog(row.getLong("cards"), instant(row.getOffsetDateTime("oldest")));
        });
    }

    public Uni<Optional<CardRow>> find(String workItem) {
        return pool.preparedQuery(FIND).execute(Tuple.of(workItem)).map(CardRepository::toRow);
    }

    /** @return the version now held, or empty when another replica holds the card or it changed */
    public Uni<Optional<Long>> claim(String workItem, long readVersion, Instant until, Instant now) {
        return pool.preparedQuery(CLAIM).execute(Tuple.of(workItem, readVersion, utc(until), utc(now)))
                .map(rows -> {
                    var it = rows.iterator();
                    return it.hasNext() ? Optional.of(it.next().getLong(0)) : Optional.<Long>empty();
                });
    }

    /** @return false when the claim was lost (another replica took over after it expired) */
    public Uni<Boolean> recordSent(String workItem, long claimedVersion, String chatId, long messageId, String textHash,
                                   Instant sentAt) {
        return pool.preparedQuery(RECORD_SENT)
                .execute(Tuple.from(Arrays.asList(workItem, claimedVersion, chatId, messageId, textHash, utc(sentAt))))
                .map(CardRepository::single);
    }

    public Uni<Boolean> recordEdited(String workItem, long claimedVersion, String textHash) {
        return pool.preparedQuery(RECORD_EDITED).execute(Tuple.of(workItem, claimedVersion, textHash))
                .map(CardRepository::single);
    }

    public Uni<Boolean> release(String workItem, long claimedVersion) {
        return pool.preparedQuery(RELEASE).execute(Tuple.of(workItem, claimedVersion)).map(CardRepository::single);
    }

    private static boolean single(RowSet<Row> rows) {
        if (rows.rowCount() > 1) {
            throw new IllegalStateException("a card CAS touched " + rows.rowCount() + " rows");
        }
        return rows.rowCount() == 1;
    }

    private static Optional<CardRow> toRow(RowSet<Row> rows) {
        var it = rows.iterator();
        if (!it.hasNext()) {
            return Optional.empty();
        }
        Row r = it.next();
        return Optional.of(new CardRow(r.getString("work_item"), r.getString("title"), r.getString("repo"),
                r.getLong("pr_number"), r.getString("pr_url"), r.getString("stage"), r.getString("job_stage"),
                r.getString("job_status"), r.getString("chat_id"), r.getLong("message_id"), r.getString("text_hash"),
                instant(r.getOffsetDateTime("sent_at")), instant(r.getOffsetDateTime("claimed_until")),
                r.getLong("version")));
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
