package dev.baton.stage.health;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaProducer;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.Metric;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.time.OffsetDateTime;

/**
 * The broker as the outbox sees it, shown but never judged: stage-service stays ready without
 * Kafka, because its API works without it (transitions commit into the outbox, which drains when
 * the broker is back); taking it out of service would cut the reaper and the runners off it for the
 * whole outage. The Kafka channels' own readiness is switched off for the same reason.
 *
 * <p>Answers within a second: the broker state is the producer's own connection metric (no round
 * trip), and the outbox backlog is one indexed query with a short limit.
 */
@Readiness
@ApplicationScoped
public class BrokerHealthCheck implements AsyncHealthCheck {

    static final String NAME = "Kafka broker (outbox)";
    static final String BACKLOG = """
            SELECT count(*) AS pending, min(occurred_at) AS oldest FROM stage.outbox WHERE sent_at IS NULL""";
    private static final Duration LIMIT = Duration.ofMillis(800);

    private final KafkaClientService clients;
    private final Pool pool;

    public BrokerHealthCheck(KafkaClientService clients, Pool pool) {
        this.clients = clients;
        this.pool = pool;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        String broker = brokerState();
        return pool.query(BACKLOG).execute()
                .map(rows -> {
                    var row = rows.iterator().next();
                    OffsetDateTime oldest = row.getOffsetDateTime("oldest");
                    long age = oldest == null ? 0 : Math.max(0, Duration.between(oldest, OffsetDateTime.now()).toSeconds());
                    return HealthCheckResponse.named(NAME).up().withData("broker", broker)
                            .withData("outboxPending", row.getLong("pending")).withData("outboxOldestSeconds", age)
                            .build();
                })
                .ifNoItem().after(LIMIT).recoverWithItem(() -> HealthCheckResponse.named(NAME).up()
                        .withData("broker", broker).withData("outboxPending", "unknown (database slow)").build())
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named(NAME).up().withData("broker", broker)
                        .withData("outboxPending", "unknown (" + e.getClass().getSimpleName() + ")").build());
    }

    /** {@code connected} while the outbox producer holds a connection to a broker. */
    private String brokerState() {
        try {
            KafkaProducer<?, ?> producer = clients.getProducer("outbox");
            if (producer == null) {
                return "unknown";
            }
            for (var entry : producer.unwrap().metrics().entrySet()) {
                if (entry.getKey().name().equals("connection-count") && entry.getKey().group().equals("producer-metrics")) {
                    Metric metric = entry.getValue();
                    return ((Number) metric.metricValue()).doubleValue() > 0 ? "connected" : "disconnected";
                }
            }
            return "unknown";
        } catch (RuntimeException e) {
            return "unknown";
        }
    }
}
