package dev.baton.notifier.card;

/**
 * What the notifier knows of one work item, from its events: the card's content.
 *
 * @param workItem the work item key, e.g. {@code ORCH-114}
 * @param jobStatus {@code queued}, {@code running}, {@code done}, {@code failed} or {@code reaped}; null when none
 */
public record CardState(String workItem, String title, String repo, Long prNumber, String prUrl, String stage,
                        String jobStage, String jobStatus) {
}
