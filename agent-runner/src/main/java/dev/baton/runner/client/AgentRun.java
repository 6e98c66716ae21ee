package dev.baton.runner.client;

import java.math.BigDecimal;

/** One attempt as reported to stage-service ({@code POST /jobs/{id}/runs}). */
public record AgentRun(String agent, String model, String effort, int attempt, BigDecimal costUsd, Long tokensIn,
                       Long tokensOut, int exitCode, String reason) {
}
