-- Retention (RetentionJob) deletes processed-event marks oldest first, in batches.
CREATE INDEX processed_event_age_idx ON notifier.processed_event (processed_at);
