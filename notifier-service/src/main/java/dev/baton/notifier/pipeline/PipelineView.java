package dev.baton.notifier.pipeline;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Map;

/**
 * The pipeline definition as stage-service serves it at {@code GET /pipeline}, and as the built-in
 * {@code dev/baton/pipeline.json} spells it (a REST DTO; {@link Pipeline} is what the card uses).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PipelineView(List<StageView> stages, List<TransitionView> transitions,
                           Map<String, Map<String, String>> cardGroups) {

    /** One stage: key, label per locale, terminal, and the card group whose row shows it (null = its own row). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record StageView(String key, Map<String, String> label, boolean terminal, String cardGroup) {
    }

    /** One allowed transition. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TransitionView(String from, String to, String kind) {
    }
}
