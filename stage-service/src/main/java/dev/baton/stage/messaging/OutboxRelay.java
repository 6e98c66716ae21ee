package dev.baton.stage.messaging;

import dev.baton.common.tracing.TraceParent;
import dev.baton.stage.config.RecoveryConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes committed outbox rows to Kafka and marks them sent.
 *
 * <ol>
 *   <li>in one transaction, take the cluster-wide relay lock (one relay at a time, so events
 *       leave in commit order), read the oldest unsent rows;</li>
 *   <li>send them keyed by work item and wait for every broker acknowledgement;</li>
 *   <li>mark them sent and commit. A crash before the commit re-sends them: at-least-once,
 *       and consumers de-duplicate by {@code eventId}.</li>
 * </ol>
 * Woken after each commit (a commit never waits for a poll), and polled every
 * {@code baton.recovery.outbox-poll} for rows of other replicas or of a previous run.
 *
 * <p>Each record continues the trace its row was written in: the stored traceparent is the parent
 * the Kafka connector starts its producer span under, and that span's context is what it puts in
 * the record's {@code traceparent} header, so the consumers' spans join the transition's trace. A
 * row without one (tracing off when it was written) is sent with no parent: the relay's own
 * context would tie unrelated events to whatever the relay round ran under.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final Pool pool;
    private final OutboxRepository outbox;
    private final MutinyEmitter<String> emitter;
    private final RecoveryConfig config;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    public OutboxRelay(Pool pool, OutboxRepository outbox,
                       @Channel("outbox") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 2048)
                       MutinyEmitter<String> emitter,
                       RecoveryConfig config) {
        this.pool = pool;
        this.outbox = outbox;
        this.emitter = emitter;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        wake();
    }

    /** The poll: a wake like any other, so it never overlaps a round a commit started. */
    @Scheduled(identity = "outbox-poll", every = "${baton.recovery.outbox-poll:1s}",
            delayed = "${baton.recovery.outbox-poll:1s}",
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    @NonBlocking
    void poll() {
        wake();
    }

    /** Asks for a relay round; rounds never overlap within a process, and a wake during one runs another. */
    public void wake() {
        again.set(true);
        if (!running.compareAndSet(false, true)) {
            return;
        }
        again.set(false);
        relayOnce().subscribe().with(sent -> finished(sent >= config.outboxBatch()), failure -> {
            LOG.warnf("outbox relay round failed, will retry: %s", failure.getMessage());
            finished(false);
        });
    }

    private void finished(boolean more) {
        running.set(false);
        if (more || again.get()) {
            wake();
        }
    }

    /** One round; the number of events sent. */
    Uni<Integer> relayOnce() {
        return pool.withTransaction(connection -> outbox.tryRelayLock(connection).flatMap(locked -> !locked
                ? Uni.createFrom().item(0)
                : outbox.unsent(connection, config.outboxBatch()).flatMap(pending -> pending.isEmpty()
                        ? Uni.createFrom().item(0)
                        : Uni.join().all(pending.stream().map(this::send).toList()).andFailFast()
                                .flatMap(sent -> outbox.markSent(connection,
                                        pending.stream().map(OutboxRepository.Pending::id).toList()))
                                .replaceWith(pending.size()))));
    }

    private Uni<Void> send(OutboxRepository.Pending event) {
        String envelope = new JsonObject()
                .put("eventId", event.eventId().toString())
                .put("aggregateType", event.aggregateType())
                .put("aggregateId", event.aggregateId())
                .put("eventType", event.eventType())
                .put("occurredAt", event.occurredAt().toString())
                .put("payload", event.payload())
                .encode();
        return emitter.sendMessage(Message.of(envelope)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withTopic(event.topic()).withKey(event.aggregateId()).build())
                .addMetadata(TracingMetadata.withCurrent(TraceParent.parent(event.traceParent()))));
    }
}
