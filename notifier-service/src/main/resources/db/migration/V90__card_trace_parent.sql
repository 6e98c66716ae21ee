-- Tracing (docs/operations.md, "Observability: traces and logs"): the W3C traceparent of the consumer
-- span of the event that last changed the card. The chat's sender brings the card up to date later,
-- on its own thread, under a span that continues this trace, so the Telegram call shows up in the
-- trace of the transition that caused it. NULL when tracing was off.
ALTER TABLE notifier.card ADD COLUMN trace_parent text;
