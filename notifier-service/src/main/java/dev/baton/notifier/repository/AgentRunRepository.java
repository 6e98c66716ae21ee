package dev.baton.notifier.repository;

import dev.baton.notifier.card.AgentTotal;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.data.Numeric;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Agent runs per work item, one row per {@code runId}: a redelivered {@code AgentRunRecorded}
 * is not counted twice, and the card's totals are exact numeric sums over these rows.
 */
@ApplicationScoped
public class AgentRunRepository {

    static final String RECORD = """
            INSERT INTO notifier.agent_run
                (run_id, work_item, agent, model, effort, attempt, cost_usd, tokens_in, tokens_out, occurred_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (run_id) DO NOTHING""";

    /** Per agent: sums over all runs; model, effort and attempt of the last run; agents in order of first run. */
    static final String TOTALS = """
            SELECT agent,
                   count(*) AS runs,
                   sum(cost_usd) AS cost_usd,
                   sum(tokens_in) AS tokens_in,
                   sum(tokens_out) AS tokens_out,
                   (array_agg(model ORDER BY occurred_at DESC, seq DESC))[1] AS model,
                   (array_agg(effort ORDER BY occurred_at DESC, seq DESC))[1] AS effort,
                   (array_agg(attempt ORDER BY occurred_at DESC, seq DESC))[1] AS attempt
            FROM notifier.agent_run
            WHERE work_item = $1
            GROUP BY agent
            ORDER BY min(occurred_at), min(seq)""";

    private final Pool pool;

    public AgentRunRepository(Pool pool) {
        this.pool = pool;
    }

    /** @return true when the run was new */
    public Uni<Boolean> record(SqlClient conn, String runId, String workItem, String agent, String model, String effort,
                               Integer attempt, BigDecimal costUsd, long tokensIn, long tokensOut, Instant occurredAt) {
        return conn.preparedQuery(RECORD)
                .execute(Tuple.from(Arrays.asList(runId, workItem, agent, model, effort, attempt, Numeric.create(costUsd),
                        tokensIn, tokensOut, CardRepository.utc(occurredAt))))
                .map(rows -> rows.rowCount() == 1);
    }

    public Uni<List<AgentTotal>> totals(String workItem) {
        return pool.preparedQuery(TOTALS).execute(Tuple.of(workItem)).map(rows -> {
            List<AgentTotal> totals = new ArrayList<>();
            for (Row r : rows) {
                BigDecimal cost = r.getBigDecimal("cost_usd");
                totals.add(new AgentTotal(r.getString("agent"), r.getString("model"), r.getString("effort"),
                        r.getInteger("attempt"), r.getLong("runs").intValue(), cost == null ? BigDecimal.ZERO : cost,
                        r.getLong("tokens_in"), r.getLong("tokens_out")));
            }
            return totals;
        });
    }
}
