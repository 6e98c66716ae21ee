-- Alerts other services raise about a work item that a person must decide on (the reaper's Plane
-- drift alerts), kept for the operator console's Attention page. stage-service's own alerts are
-- already in its outbox. The event id makes a redelivery a no-op.
CREATE TABLE stage.console_alert (
    event_id    text PRIMARY KEY,
    work_item   text NOT NULL,
    event_type  text NOT NULL,
    payload     jsonb NOT NULL,
    occurred_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_alert_type_idx ON stage.console_alert (event_type, occurred_at);
