package dev.baton.notifier.tracker;

import dev.baton.events.EventEnvelope;
import dev.baton.notifier.repository.AgentRunRepository;
import dev.baton.notifier.repository.CardRepository;
import dev.baton.notifier.repository.ProcessedEventRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Set;

/**
 * Folds one {@code baton.transitions} event into the notifier's state and marks the card pending
 * for its chat's sender. The event id is remembered in the same transaction as its effect, so a
 * redelivery changes nothing and a crash in between leaves neither. Never waits on Telegram.
 */
@ApplicationScoped
public class CardEventService {

    static final Set<String> CARD_EVENTS = Set.of("TaskCreated", "StageAdvanced", "StageRolledBack", "TaskCancelled",
            "JobQueued", "JobStarted", "JobFinished", "AgentRunRecorded", "PullRequestRecorded");

    private final Pool pool;
    private final ProcessedEventRepository processed;
    private final CardRepository cards;
    private final AgentRunRepository runs;

    public CardEventService(Pool pool, ProcessedEventRepository processed, CardRepository cards, AgentRunRepository runs) {
        this.pool = pool;
        this.processed = processed;
        this.cards = cards;
        this.runs = runs;
    }

    /**
     * @param traceParent the consumer span's traceparent, kept with the pending mark for the sender
     * @return true when this delivery changed a card (so the card is pending now)
     */
    public Uni<Boolean> apply(EventEnvelope event, String traceParent) {
        boolean cardEvent = CARD_EVENTS.contains(event.eventType());
        return pool.withTransaction(conn -> processed.rememberFirstDelivery(conn, event)
                .chain(first -> first && cardEvent
                        ? fold(conn, event).chain(() -> cards.markPending(conn, event.aggregateId(), traceParent))
                                .replaceWith(true)
                        : Uni.createFrom().item(false)));
    }

    private Uni<Void> fold(SqlClient conn, EventEnvelope event) {
        String item = event.aggregateId();
        Payload p = new Payload(event.payload());
        return switch (event.eventType()) {
            case "TaskCreated" -> cards.upsertFacts(conn, item, p.text("title"), p.text("repo"), p.text("stage"), null);
            case "StageAdvanced", "StageRolledBack", "TaskCancelled" ->
                    cards.upsertFacts(conn, item, p.text("title"), p.text("repo"), p.text("to"), p.number("version"));
            case "JobQueued" -> cards.upsertJob(conn, item, p.text("stage"), "queued");
            case "JobStarted" -> cards.upsertJob(conn, item, p.text("stage"), "running");
            case "JobFinished" -> cards.upsertJob(conn, item, p.text("stage"), p.text("status") == null ? "finished" : p.text("status"));
            case "PullRequestRecorded" -> cards.upsertPullRequest(conn, item, p.number("prNumber"), p.text("prUrl"));
            case "AgentRunRecorded" -> recordRun(conn, event, p);
            default -> Uni.createFrom().voidItem();
        };
    }

    private Uni<Void> recordRun(SqlClient conn, EventEnvelope event, Payload p) {
        String item = event.aggregateId();
        // Without a runId the event id is the best key a redelivery will repeat.
        String runId = p.text("runId") != null ? p.text("runId") : "event:" + event.eventId();
        String agent = p.text("agent") != null ? p.text("agent") : "agent";
        BigDecimal cost = p.decimal("costUsd");
        Long in = p.number("tokensIn");
        Long out = p.number("tokensOut");
        Instant at = event.occurredAt() != null ? event.occurredAt() : Instant.now();
        return cards.ensure(conn, item)
                .chain(() -> runs.record(conn, runId, item, agent, p.text("model"), p.text("effort"), p.integer("attempt"),
                        cost == null ? BigDecimal.ZERO : cost, in == null ? 0 : in, out == null ? 0 : out, at))
                .replaceWithVoid();
    }
}
