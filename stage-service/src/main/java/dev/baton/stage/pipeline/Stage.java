package dev.baton.stage.pipeline;

import java.util.List;
import java.util.Map;

/**
 * One stage of the pipeline.
 *
 * @param key stable identifier stored in {@code task.stage}
 * @param label display label per locale ({@code en}, {@code ru})
 * @param terminal no transition leaves it
 * @param worked entering it enqueues a job for an agent runner
 * @param gates names of the read-only quality checks that must pass to advance out of it
 */
public record Stage(String key, Map<String, String> label, boolean terminal, boolean worked, List<String> gates) {

    public Stage {
        gates = gates == null ? List.of() : List.copyOf(gates);
    }
}
