package dev.baton.runner.agent;

import java.math.BigDecimal;
import java.util.List;

/**
 * What an agent reported about one attempt, beyond its exit code; every field may be absent.
 *
 * @param warnings one line per field that was present but unusable, naming the field
 */
public record AgentResult(BigDecimal costUsd, Long tokensIn, Long tokensOut, String model, String summary,
                          PullRequest pullRequest, BigDecimal coverage, Boolean approved, Deployed deployed,
                          List<String> warnings) {

    /** A pull request the agent opened itself. */
    public record PullRequest(Integer number, String url, String headSha) {
    }

    /** A deploy the agent ran: {@code environment} staging|production, {@code state} pending|success|failure. */
    public record Deployed(String environment, String state) {
    }

    public static AgentResult empty(List<String> warnings) {
        return new AgentResult(null, null, null, null, null, null, null, null, null, List.copyOf(warnings));
    }
}
