-- Consuming never waits on Telegram. An event folds into the card's state and marks the card
-- pending; the chat's one sender (cluster-wide, see ChatSenders) brings pending cards up to date
-- under the chat's budget and clears the mark with a CAS on state_seq, so an update that arrives
-- while the card is being sent keeps it pending.
ALTER TABLE notifier.card
    ADD COLUMN pending_since timestamptz,
    ADD COLUMN state_seq     bigint NOT NULL DEFAULT 0;
CREATE INDEX card_pending_idx ON notifier.card (pending_since) WHERE pending_since IS NOT NULL;

-- Alerts waiting for their chat's sender; sent before any card of that chat, oldest first.
CREATE TABLE notifier.alert_outbox (
    id              bigserial PRIMARY KEY,
    chat_id         text NOT NULL,
    work_item       text NOT NULL,
    event_type      text NOT NULL,
    text            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    dropped_at      timestamptz
);
CREATE INDEX alert_outbox_pending_idx ON notifier.alert_outbox (chat_id, id)
    WHERE sent_at IS NULL AND dropped_at IS NULL;

-- Every Bot API call that counts against a chat's budget: a sender that takes a chat over from a
-- replica that died starts from the dead one's last minute, not from an empty window.
CREATE TABLE notifier.chat_send (
    chat_id text NOT NULL,
    sent_at timestamptz NOT NULL
);
CREATE INDEX chat_send_idx ON notifier.chat_send (chat_id, sent_at);
