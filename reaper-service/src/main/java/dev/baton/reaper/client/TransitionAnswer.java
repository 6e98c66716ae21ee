package dev.baton.reaper.client;

/**
 * stage-service's answer to a transition request.
 *
 * @param httpStatus the HTTP status, or 0 when there was no answer
 * @param outcome {@code advanced}, {@code already}, {@code deferred}, {@code lost-race}, {@code conflict},
 *                {@code fenced}, {@code gates-failed}, {@code in-doubt}, {@code effect-failed},
 *                {@code rejected} (a 4xx problem) or {@code unanswered}
 * @param detail the owner of a deferring lease, a problem's detail, or why there was no answer
 */
public record TransitionAnswer(int httpStatus, String outcome, String detail) {

    /** The task is where it was asked to go (by this call or an earlier one). */
    public boolean applied() {
        return "advanced".equals(outcome) || "already".equals(outcome);
    }
}
