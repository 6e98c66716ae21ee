-- Inbound webhook events already applied: consumers are at-least-once, so the event id
-- is remembered and a redelivery is a no-op.
CREATE TABLE stage.inbound_event (
    event_id    text PRIMARY KEY,
    work_item   text NOT NULL,
    event_type  text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
