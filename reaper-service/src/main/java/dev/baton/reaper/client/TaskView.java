package dev.baton.reaper.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Optional;

/** {@code GET /tasks/{id}}: the task and its effect ledger (the parts the finalizer reads). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TaskView(Task task, List<Effect> effects) {

    /** The task row. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Task(String id, String repo, String stage, long version) {
    }

    /** One effect ledger entry; {@code token} is the lease token its attempt ran under. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Effect(String effect, String status, long token) {
    }

    /** The latest {@code done} attempt of {@code effect} (the highest token). */
    public Optional<Effect> lastDone(String effect) {
        return effects == null ? Optional.empty() : effects.stream()
                .filter(e -> effect.equals(e.effect()) && "done".equals(e.status()))
                .max(java.util.Comparator.comparingLong(Effect::token));
    }
}
