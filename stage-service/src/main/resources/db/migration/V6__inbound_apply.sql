-- Inbound events are now applied, not only remembered: the row keeps the event so a deferred
-- one (a live lease) is applied later, once, and one that can never apply goes to the DLQ.
ALTER TABLE stage.inbound_event ADD COLUMN payload jsonb;
ALTER TABLE stage.inbound_event ADD COLUMN status text NOT NULL DEFAULT 'applied'
    CHECK (status IN ('pending', 'deferred', 'applied', 'ignored', 'dead'));
ALTER TABLE stage.inbound_event ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE stage.inbound_event ADD COLUMN next_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE stage.inbound_event ADD COLUMN outcome text;
ALTER TABLE stage.inbound_event ALTER COLUMN status SET DEFAULT 'pending';
CREATE INDEX inbound_event_due_idx ON stage.inbound_event (next_at) WHERE status IN ('pending', 'deferred');

-- Finished Gitea Actions runs, for the deploy finalizer and the deploy gates.
CREATE TABLE stage.workflow_run (
    repo       text NOT NULL,
    run_id     bigint NOT NULL,
    name       text,
    conclusion text,
    head_sha   text,
    task_id    text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (repo, run_id)
);
