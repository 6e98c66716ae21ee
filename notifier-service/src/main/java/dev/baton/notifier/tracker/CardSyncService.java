package dev.baton.notifier.tracker;

import dev.baton.notifier.card.AgentTotal;
import dev.baton.notifier.card.CardRenderer;
import dev.baton.notifier.client.TelegramClient;
import dev.baton.notifier.client.TelegramResult;
import dev.baton.notifier.config.NotifierConfig;
import dev.baton.notifier.config.TelegramConfig;
import dev.baton.notifier.config.TrackerConfig;
import dev.baton.notifier.pipeline.CardLocale;
import dev.baton.notifier.pipeline.PipelineCatalog;
import dev.baton.notifier.repository.AgentRunRepository;
import dev.baton.notifier.repository.CardRepository;
import dev.baton.notifier.repository.CardRow;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Brings a work item's Telegram card up to date with the stored state. Safe to run on several
 * replicas at once, and again for the same update:
 * <ol>
 *   <li>Read the row, render the card, hash it. Same hash as the stored one → nothing to do.</li>
 *   <li>Claim the row: {@code UPDATE ... WHERE version = read AND unclaimed}. 0 rows → another
 *       replica is on it (and re-reads when it is done, so this update is not lost) → stop.</li>
 *   <li>Talk to Telegram (edit, or send / send-silently-then-delete in bump mode).</li>
 *   <li>Write the outcome with {@code WHERE version = claimed}: only after a successful send is the
 *       message id repointed. 0 rows → the claim expired and another replica took over: a message
 *       this replica sent is deleted again, so there is still one card.</li>
 *   <li>Re-read (step 1) in case the state changed while the claim was held.</li>
 * </ol>
 * A failed Telegram call releases the claim and drops this update; the next one renders the whole
 * card again. Blocking: runs on the consumer's worker thread.
 */
@ApplicationScoped
public class CardSyncService {

    private static final Logger LOG = Logger.getLogger(CardSyncService.class);
    private static final Duration DB = Duration.ofSeconds(10);
    private static final int MAX_ROUNDS = 3;

    /** What one sync did. */
    public enum Outcome {
        /** Telegram now shows the current card. */
        SYNCED,
        /** It already did; no call was made. */
        UNCHANGED,
        /** Another replica holds the card. */
        BUSY,
        /** Telegram did not take it; the update is dropped. */
        FAILED,
        /** Nothing to sync: no such work item, or Telegram not configured. */
        SKIPPED
    }

    private final CardRepository cards;
    private final AgentRunRepository runs;
    private final PipelineCatalog pipelines;
    private final TelegramClient telegram;
    private final TelegramConfig telegramConfig;
    private final TrackerConfig tracker;
    private final CardLocale locale;
    private final TrackerMode mode;
    private final Clock clock;

    public CardSyncService(CardRepository cards, AgentRunRepository runs, PipelineCatalog pipelines,
                           TelegramClient telegram, TelegramConfig telegramConfig, TrackerConfig tracker,
                           NotifierConfig notifier, Clock clock) {
        this.cards = cards;
        this.runs = runs;
        this.pipelines = pipelines;
        this.telegram = telegram;
        this.telegramConfig = telegramConfig;
        this.tracker = tracker;
        this.locale = CardLocale.parse(notifier.locale());
        this.mode = TrackerMode.parse(tracker.mode());
        this.clock = clock;
        if (!TrackerMode.known(tracker.mode())) {
            LOG.warnf("BATON_TRACKER_MODE=%s is neither edit nor bump; using edit", tracker.mode());
        }
        if (!telegram.configured()) {
            LOG.warn("BATON_TELEGRAM_BOT_TOKEN or BATON_TELEGRAM_CHAT_ID is unset: cards are tracked but not sent");
        }
    }

    /** The mode from {@code BATON_TRACKER_MODE}. */
    public TrackerMode mode() {
        return mode;
    }

    public Outcome sync(String workItem) {
        return sync(workItem, mode);
    }

    public Outcome sync(String workItem, TrackerMode how) {
        if (!telegram.configured()) {
            return Outcome.SKIPPED;
        }
        Outcome outcome = Outcome.SKIPPED;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            Optional<CardRow> read = cards.find(workItem).await().atMost(DB);
            if (read.isEmpty()) {
                return outcome;
            }
            CardRow row = read.get();
            String text = render(row);
            String hash = hash(text);
            if (row.messageId() != null && hash.equals(row.textHash())) {
                return outcome == Outcome.SKIPPED ? Outcome.UNCHANGED : outcome;
            }
            Instant now = clock.instant();
            Optional<Long> claimed = cards.claim(workItem, row.version(), now.plus(tracker.claimTtl()), now).await().atMost(DB);
            if (claimed.isEmpty()) {
                return outcome == Outcome.SKIPPED ? Outcome.BUSY : outcome;
            }
            outcome = how == TrackerMode.BUMP && row.messageId() != null
                    ? bump(row, claimed.get(), text, hash)
                    : edit(row, claimed.get(), text, hash);
            if (outcome != Outcome.SYNCED) {
                return outcome;
            }
        }
        return outcome;
    }

    private String render(CardRow row) {
        List<AgentTotal> totals = runs.totals(row.workItem()).await().atMost(DB);
        return CardRenderer.render(row.state(), totals, pipelines.current(), locale);
    }

    /** Edit in place; a first card, or one whose message is gone, is sent (and the row repointed). */
    private Outcome edit(CardRow row, long claim, String text, String hash) {
        if (row.messageId() == null) {
            return sendNew(row, claim, text, hash, false);
        }
        TelegramResult edited = telegram.edit(row.chatId(), row.messageId(), text);
        if (edited.succeeded()) {
            return cards.recordEdited(row.workItem(), claim, hash).await().atMost(DB) ? Outcome.SYNCED : Outcome.BUSY;
        }
        if (edited.status() == TelegramResult.Status.NOT_FOUND) {
            LOG.infof("card of %s: message %s is gone; sending a new card", row.workItem(), row.messageId());
            return sendNew(row, claim, text, hash, false);
        }
        release(row, claim);
        return Outcome.FAILED;
    }

    /**
     * Send the new card silently; only after that succeeded repoint the row (CAS), then delete the
     * old message. The delete's outcome never gates the send; past the delete window a message
     * that cannot be deleted is edited into a short stub instead.
     */
    private Outcome bump(CardRow row, long claim, String text, String hash) {
        Outcome sent = sendNew(row, claim, text, hash, true);
        if (sent != Outcome.SYNCED) {
            return sent;
        }
        TelegramResult deleted = telegram.delete(row.chatId(), row.messageId());
        if (deleted.status() == TelegramResult.Status.OK || deleted.status() == TelegramResult.Status.NOT_FOUND) {
            return sent;
        }
        boolean old = row.sentAt() == null || row.sentAt().plus(tracker.deleteWindow()).isBefore(clock.instant());
        if (old) {
            TelegramResult stub = telegram.edit(row.chatId(), row.messageId(), CardRenderer.movedStub(row.workItem(), locale));
            LOG.infof("card of %s: old message %s could not be deleted (%s); stub %s", row.workItem(), row.messageId(),
                    deleted.detail(), stub.succeeded() ? "written" : "failed too");
        } else {
            LOG.infof("card of %s: old message %s could not be deleted (%s); left in place", row.workItem(),
                    row.messageId(), deleted.detail());
        }
        return sent;
    }

    private Outcome sendNew(CardRow row, long claim, String text, String hash, boolean silent) {
        String chat = telegramConfig.chatId().orElseThrow();
        TelegramResult sent = telegram.send(chat, text, silent);
        if (!sent.succeeded() || sent.messageId() == null) {
            // The old card (if any) stays where it is and the row keeps pointing at it.
            release(row, claim);
            return Outcome.FAILED;
        }
        boolean repointed = cards.recordSent(row.workItem(), claim, sent.chatId(), sent.messageId(), hash, clock.instant())
                .await().atMost(DB);
        if (!repointed) {
            // Our claim expired and another replica owns the card now: take our message back.
            LOG.warnf("card of %s: claim lost while sending; deleting the extra message %s", row.workItem(), sent.messageId());
            telegram.delete(sent.chatId(), sent.messageId());
            return Outcome.BUSY;
        }
        return Outcome.SYNCED;
    }

    private void release(CardRow row, long claim) {
        try {
            cards.release(row.workItem(), claim).await().atMost(DB);
        } catch (RuntimeException e) {
            // The claim then simply expires after baton.tracker.claim-ttl.
            LOG.warnf("card of %s: cannot release the claim (%s)", row.workItem(), e.getMessage());
        }
    }

    static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always there", e);
        }
    }
}
