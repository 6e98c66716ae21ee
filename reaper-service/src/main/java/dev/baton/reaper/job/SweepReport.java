package dev.baton.reaper.job;

import dev.baton.reaper.client.SweepTurn;

import java.util.List;

/** One sweep: whether this replica had the turn, and a decision per running job it looked at. */
public record SweepReport(SweepTurn turn, List<Decision> decisions) {

    public static SweepReport skipped(SweepTurn turn) {
        return new SweepReport(turn, List.of());
    }

    public long count(Decision.Action action) {
        return decisions.stream().filter(d -> d.action() == action).count();
    }
}
