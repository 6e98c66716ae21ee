package dev.baton.reaper.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/** {@code GET /tasks/{id}/gates}: the read-only verdict on the task's current stage. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GateVerdict(String taskId, String stage, String verdict, String target, String verdictKey,
                          List<String> failed) {

    public boolean advance() {
        return "advance".equals(verdict);
    }
}
