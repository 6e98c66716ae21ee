-- Retention (RetentionService) deletes sent outbox rows and settled inbound events, oldest first, in
-- batches: these partial indexes find them without reading the unsent or still-waiting rows.
CREATE INDEX outbox_sent_idx ON stage.outbox (topic, sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX inbound_event_settled_idx ON stage.inbound_event (received_at) WHERE status IN ('applied', 'ignored');
