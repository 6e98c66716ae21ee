package dev.baton.stage.gate;

import java.math.BigDecimal;
import java.util.Map;

/**
 * What Baton knows about a task that the gates and effects read: the PR, CI statuses for its
 * head SHA, coverage reported and the repo's floor, approval, deploy results, last agent exit.
 */
public record TaskFacts(String taskId, String repo, Integer prNumber, String prUrl, String headSha, String prState,
                        String mergeSha, BigDecimal coverage, BigDecimal coverageFloor, String approvedBy,
                        String stagingDeploy, String productionDeploy, Integer lastExitCode,
                        Map<String, String> statuses) {
}
