package dev.baton.stage.pipeline;

import java.util.Map;

/**
 * One stage of the pipeline.
 *
 * @param key stable identifier stored in {@code task.stage}
 * @param label display label per locale ({@code en}, {@code ru})
 * @param terminal no transition leaves it
 */
public record Stage(String key, Map<String, String> label, boolean terminal) {
}
