package dev.baton.notifier.card;

import java.math.BigDecimal;

/**
 * One agent's line on the card: cost and tokens summed over all its runs; model, effort and
 * attempt of its last run.
 */
public record AgentTotal(String agent, String model, String effort, Integer attempt, int runs,
                         BigDecimal costUsd, long tokensIn, long tokensOut) {
}
