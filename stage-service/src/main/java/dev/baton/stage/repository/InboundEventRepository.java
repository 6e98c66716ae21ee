package dev.baton.stage.repository;

import dev.baton.events.EventEnvelope;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/** Remembers which inbound events were applied, so a redelivery is recognised. */
@ApplicationScoped
public class InboundEventRepository {

    static final String REMEMBER = """
            INSERT INTO stage.inbound_event (event_id, work_item, event_type)
            VALUES ($1, $2, $3)
            ON CONFLICT (event_id) DO NOTHING""";

    private final Pool pool;

    public InboundEventRepository(Pool pool) {
        this.pool = pool;
    }

    /** @return true the first time this event id is seen, false for a redelivery */
    public Uni<Boolean> rememberFirstDelivery(EventEnvelope event) {
        return pool.preparedQuery(REMEMBER)
                .execute(Tuple.of(event.eventId(), event.aggregateId(), event.eventType()))
                .map(rows -> rows.rowCount() == 1);
    }
}
