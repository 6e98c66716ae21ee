package dev.baton.runner.agent;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How one stage's agent is run.
 *
 * @param stage         the pipeline stage it works
 * @param command       argv, never a shell string; placeholders such as {@code {title}} become ONE argument each
 * @param env           extra environment for the child (placeholders allowed)
 * @param passEnv       names of the runner's own environment variables handed to the child (an API key);
 *                      the child gets nothing else of the runner's environment
 * @param timeout       longest run of one attempt; then the tree is stopped and the exit is 124
 * @param maxAttempts   attempts per job (a failed clone or a non-zero exit is tried again)
 * @param agent         label recorded with each run
 * @param model         label recorded with each run unless the agent reports its own
 * @param effort        label recorded with each run
 * @param output        {@code result-file} (default) or {@code claude-json}: stdout's last JSON object is
 *                      Claude Code's {@code --output-format json} result
 * @param pullRequest   open (or reuse) the pull request of the job's branch after a successful run
 */
public record AgentDefinition(String stage, List<String> command, Map<String, String> env, List<String> passEnv,
                              Duration timeout, int maxAttempts, String agent, String model, String effort,
                              String output, boolean pullRequest) {

    public static final String RESULT_FILE = "result-file";
    public static final String CLAUDE_JSON = "claude-json";

    public boolean claudeJson() {
        return CLAUDE_JSON.equals(output);
    }
}
