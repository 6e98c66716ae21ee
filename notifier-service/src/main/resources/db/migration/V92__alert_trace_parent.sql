-- The traceparent of the consumer span that queued the alert (the baton.alerts record's trace, as
-- stage-service's relay or the reaper sent it): the sender's baton.alert.send continues it, so the
-- Telegram call of an alert is in the trace of what raised it, as a card's is.
ALTER TABLE notifier.alert_outbox ADD COLUMN trace_parent text;
