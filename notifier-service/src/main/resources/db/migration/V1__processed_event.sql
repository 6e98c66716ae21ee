-- Transition and alert events already handled: consumers are at-least-once, so the event id
-- is remembered and a redelivery is a no-op (no second card update, no second alert).
CREATE TABLE notifier.processed_event (
    event_id     text PRIMARY KEY,
    work_item    text NOT NULL,
    event_type   text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now()
);
