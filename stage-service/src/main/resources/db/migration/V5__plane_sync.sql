-- Plane sync: after each committed transition, set the work item's Plane state and add one
-- comment. Not irreversible, so it is not an effect that could hold a transition back: a row
-- is written in the commit transaction and a worker drains it (rate-limited, retried), the
-- same outbox pattern as the Kafka events. The comment's external_id makes a repeat harmless.
ALTER TABLE stage.task ADD COLUMN plane_project text;
ALTER TABLE stage.task ADD COLUMN plane_issue text;

CREATE TABLE stage.plane_sync (
    id         bigserial PRIMARY KEY,
    task_id    text NOT NULL REFERENCES stage.task (id),
    version    bigint NOT NULL,
    from_stage text NOT NULL,
    to_stage   text NOT NULL,
    token      bigint,
    actor      text NOT NULL,
    status     text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    attempts   integer NOT NULL DEFAULT 0,
    next_at    timestamptz NOT NULL DEFAULT now(),
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (task_id, version)
);
CREATE INDEX plane_sync_due_idx ON stage.plane_sync (next_at, id) WHERE status = 'pending';
