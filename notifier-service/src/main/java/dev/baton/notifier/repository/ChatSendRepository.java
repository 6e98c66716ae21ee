package dev.baton.notifier.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The calls each chat's budget was spent on, so that the sender that takes a chat over (its
 * replica died) starts from the last minute as it really was, and a chat never gets more than its
 * budget in any window, failover included.
 *
 * <p>A call is written down before it is made ({@link #reserve}), counting from the latest instant
 * it could reach Telegram, and moved to the instant it ended once it has ({@link #settle}): a
 * replica killed while a call is on the wire leaves that call counted, not forgotten.
 */
@ApplicationScoped
public class ChatSendRepository {

    /** Writes down one call and forgets the chat's calls that no window counts any more, in one statement. */
    static final String RESERVE = """
            WITH pruned AS (DELETE FROM notifier.chat_send WHERE chat_id = $1 AND sent_at <= $2::timestamptz - interval '2 minutes')
            INSERT INTO notifier.chat_send (chat_id, sent_at) VALUES ($1, $2) RETURNING id""";
    static final String SETTLE = "UPDATE notifier.chat_send SET sent_at = $2 WHERE id = $1";
    static final String RECENT = """
            SELECT sent_at FROM notifier.chat_send WHERE chat_id = $1 AND sent_at > $2 AND sent_at <= $3 ORDER BY sent_at""";
    /** Rows older than any window still counts: a chat keeps at most a minute or two of them. */
    static final String PRUNE = "DELETE FROM notifier.chat_send WHERE chat_id = $1 AND sent_at <= $2";

    private final Pool pool;

    public ChatSendRepository(Pool pool) {
        this.pool = pool;
    }

    /** A call about to be made, counted from {@code countsFrom} until settled. @return the reservation's id */
    public Uni<Long> reserve(String chatId, Instant countsFrom) {
        return pool.preparedQuery(RESERVE).execute(Tuple.of(chatId, CardRepository.utc(countsFrom)))
                .map(rows -> rows.iterator().next().getLong("id"));
    }

    /** The reserved call ended at {@code at}: it counts from then. */
    public Uni<Void> settle(long reservation, Instant at) {
        return pool.preparedQuery(SETTLE).execute(Tuple.of(reservation, CardRepository.utc(at))).replaceWithVoid();
    }

    /**
     * The calls within {@code window} before {@code now}, oldest first, with the calls still on the
     * wire (counted up to {@code ahead} past now); older ones are pruned.
     */
    public Uni<List<Instant>> recent(String chatId, Instant now, Duration window, Duration ahead) {
        var since = CardRepository.utc(now.minus(window));
        return pool.preparedQuery(PRUNE).execute(Tuple.of(chatId, since))
                // A call further "in the future" (a clock stepped back) would block the chat for as long: not counted.
                .chain(() -> pool.preparedQuery(RECENT).execute(Tuple.of(chatId, since, CardRepository.utc(now.plus(ahead)))))
                .map(rows -> {
                    List<Instant> sent = new ArrayList<>();
                    for (Row row : rows) {
                        sent.add(row.getOffsetDateTime("sent_at").toInstant());
                    }
                    return sent;
                });
    }
}
