package dev.baton.stage.gate;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * The read-only verdict on a task's current stage.
 *
 * @param verdict {@code advance}, {@code rollback} (with {@code target}) or {@code hold} (a check
 *                failed and the stage has no rollback)
 * @param verdictKey stable machine key, e.g. {@code advance}, {@code rollback:development}
 * @param failed stable keys of the failed checks, e.g. {@code gate.ci_green.failed}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GateReport(String taskId, String stage, String verdict, String target, String verdictKey,
                         List<Check> checks, List<String> failed) {

    /** One named check and its result. */
    public record Check(String name, boolean passed, String detail) {
    }

    public boolean advance() {
        return "advance".equals(verdict);
    }
}
