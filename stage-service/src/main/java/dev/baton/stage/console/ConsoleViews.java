package dev.baton.stage.console;

import dev.baton.stage.gate.GateReport;
import dev.baton.stage.lease.Lease;
import dev.baton.stage.task.TaskRepository;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * What the console pages render: read-only shapes built from the database, kept apart from the
 * REST DTOs and the rows the protocol writes. Every string in them is escaped by the templates.
 */
public final class ConsoleViews {

    private ConsoleViews() {
    }

    /** The board: one column per pipeline stage, in pipeline order. */
    public record Board(List<Column> columns, int items) {
    }

    /** One stage: its label in the reader's language, how many items are in it, and the cards shown. */
    public record Column(String stage, String label, boolean terminal, long count, List<Card> cards) {

        public boolean truncated() {
            return cards.size() < count;
        }
    }

    /**
     * One work item on the board.
     *
     * @param lease {@code live}, {@code stale} or null (no lease)
     * @param job {@code queued}, {@code running} or null
     * @param planeSync status of the newest Plane sync when it is not done ({@code pending}, {@code failed}), else null
     */
    public record Card(String id, String title, String repo, String stage, long ageS, BigDecimal costUsd,
                       String lease, int inDoubt, String job, String planeSync, boolean gatesFailing) {

        public String age() {
            return ConsoleViews.age(ageS);
        }

        public String cost() {
            return ConsoleViews.usd(costUsd);
        }
    }

    /** A row of the card query, before its lease and gates are known. */
    record CardRow(String id, String title, String repo, String stage, long ageS, BigDecimal costUsd, int inDoubt,
                   String job, String stageJob, String planeSync, long inStage) {
    }

    /** One ledger row of a work item. */
    public record EffectRow(long transitionSeq, String effect, String status, long token, String from, String to,
                            String detail, int attempts, Instant startedAt, Instant updatedAt) {

        public boolean inDoubt() {
            return "in_doubt".equals(status);
        }
    }

    /** An agent run reported for a job. */
    public record RunRow(String agent, String model, String effort, int attempt, BigDecimal costUsd, long tokensIn,
                         long tokensOut, Instant recordedAt) {

        public String cost() {
            return ConsoleViews.usd(costUsd);
        }
    }

    /** A job with the agent runs it reported. */
    public record JobRow(long id, String stage, String status, String runnerId, String detail, Instant queuedAt,
                         Instant startedAt, Integer exitCode, Instant finishedAt, List<RunRow> runs) {
    }

    /** The PR as Baton recorded it. */
    public record PullRequest(Integer number, String url, String headSha, String state, String mergeSha) {
    }

    /** The newest Plane sync of a work item. */
    public record PlaneSync(String toStage, String status, int attempts, String lastError, Instant createdAt) {
    }

    /** An alert the work item raised, as written to the outbox. */
    public record AlertRow(String type, String payload, Instant at) {
    }

    /** Everything about one work item. */
    public record Item(String id, String title, String repo, String stage, String stageLabel, String planeIssue,
                       List<TaskRepository.HistoryEntry> history, List<EffectRow> effects, GateReport gates,
                       List<JobRow> jobs, PullRequest pr, PlaneSync planeSync, LeaseView lease,
                       List<AlertRow> alerts) {

        public BigDecimal totalCost() {
            return jobs.stream().flatMap(j -> j.runs().stream()).map(RunRow::costUsd)
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
        }

        public String cost() {
            return ConsoleViews.usd(totalCost());
        }

        public long tokens() {
            return jobs.stream().flatMap(j -> j.runs().stream()).mapToLong(r -> r.tokensIn() + r.tokensOut()).sum();
        }
    }

    /** A lease with its owner and why it is judged live or stale. */
    public record LeaseView(Lease lease, String title, List<EffectRow> effects) {

        public String why() {
            return lease.live()
                    ? "the owner process still holds its liveness lock on its PostgreSQL connection"
                    : "the owner's liveness lock is gone: its process died or lost its database connection; "
                    + "the next actor (or the recovery sweep) reclaims it";
        }

        public String age() {
            return ConsoleViews.age(lease.ageSeconds());
        }
    }

    /** An effect whose outcome no one could establish. */
    public record InDoubt(String taskId, String title, String effect, String from, String to, long token,
                          String detail, Instant since) {
    }

    /** An inbound event that could never apply. */
    public record DeadEvent(String eventId, String workItem, String eventType, String reason, int attempts,
                            Instant receivedAt) {
    }

    /** A reaped job whose work item still sits in the job's stage. */
    public record ReapedJob(long jobId, String taskId, String stage, String detail, Instant finishedAt) {
    }

    /** A work item whose Plane sync gave up. */
    public record PlaneFailure(String taskId, String toStage, int attempts, String lastError, Instant createdAt) {
    }

    /** Everything a person must decide. */
    public record Attention(List<InDoubt> inDoubt, List<DeadEvent> dead, List<ReapedJob> reaped,
                            List<PlaneFailure> plane, List<AlertRow> drift, List<LeaseView> staleLeases) {

        public int total() {
            return inDoubt.size() + dead.size() + reaped.size() + plane.size() + drift.size() + staleLeases.size();
        }
    }

    /** A registered agent runner. */
    public record RunnerRow(String runnerId, String bootId, Instant registeredAt, long running, Instant lastSeen) {
    }

    /** "3d 4h", "5m 10s": an age at a glance. */
    static String age(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m " + seconds % 60 + "s";
        }
        if (seconds < 86_400) {
            return seconds / 3600 + "h " + seconds % 3600 / 60 + "m";
        }
        return seconds / 86_400 + "d " + seconds % 86_400 / 3600 + "h";
    }

    static String usd(BigDecimal amount) {
        return "$" + (amount == null ? BigDecimal.ZERO : amount).setScale(2, java.math.RoundingMode.HALF_UP);
    }
}
