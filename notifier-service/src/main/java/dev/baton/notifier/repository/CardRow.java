package dev.baton.notifier.repository;

import dev.baton.notifier.card.CardState;

import java.time.Instant;

/**
 * One row of {@code notifier.card}: the work item's facts and where its Telegram message is.
 *
 * @param version bumped by every claim and every message write; the CAS token
 */
public record CardRow(String workItem, String title, String repo, Long prNumber, String prUrl, String stage,
                      String jobStage, String jobStatus, String chatId, Long messageId, String textHash,
                      Instant sentAt, Instant claimedUntil, long version) {

    public CardState state() {
        return new CardState(workItem, title, repo, prNumber, prUrl, stage, jobStage, jobStatus);
    }
}
