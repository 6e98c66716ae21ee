-- The stage core: tasks, their history, the transition lease, the effect ledger, the
-- instance registry that backs process-bound liveness, and the transactional outbox.

CREATE TABLE stage.task (
    id         text PRIMARY KEY,
    repo       text NOT NULL,
    title      text NOT NULL,
    stage      text NOT NULL,
    version    bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_stage_idx ON stage.task (stage);

-- Every stage write leaves one row here; "guarded" is false for writes made with the
-- lease switched off (or outside its scope), so an incident review can tell them apart.
CREATE TABLE stage.stage_history (
    id         bigserial PRIMARY KEY,
    task_id    text NOT NULL REFERENCES stage.task (id),
    from_stage text,
    to_stage   text NOT NULL,
    actor      text NOT NULL,
    reason     text,
    kind       text NOT NULL CHECK (kind IN ('created', 'advance', 'rollback', 'cancel', 'lease-released')),
    token      bigint,
    guarded    boolean NOT NULL,
    request_id text,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stage_history_task_idx ON stage.stage_history (task_id, id);

-- One row per live process registration. lock_key is the session advisory lock the
-- process holds on its liveness connection: the owner is live iff that lock is held.
CREATE SEQUENCE stage.instance_lock_key_seq AS integer;
CREATE TABLE stage.instance (
    boot_id    uuid PRIMARY KEY,
    lock_key   integer NOT NULL UNIQUE DEFAULT nextval('stage.instance_lock_key_seq'),
    pid        bigint NOT NULL,
    host       text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now()
);

-- Fencing tokens come from one sequence: monotonic per work item because monotonic overall,
-- and never reused after a lease row is deleted.
CREATE SEQUENCE stage.lease_token_seq;
CREATE TABLE stage.transition_lease (
    task_id        text PRIMARY KEY REFERENCES stage.task (id),
    token          bigint NOT NULL,
    owner_actor    text NOT NULL,
    owner_instance uuid NOT NULL REFERENCES stage.instance (boot_id),
    owner_pid      bigint NOT NULL,
    owner_host     text NOT NULL,
    from_stage     text NOT NULL,
    to_stage       text NOT NULL,
    reason         text,
    request_id     text,
    acquired_at    timestamptz NOT NULL DEFAULT now()
);

-- The effect ledger. transition_seq is the task's version when the transition was entered:
-- it stays the same when a dead owner's transition is re-driven under a new token, and
-- changes once the transition commits, so a later transition gets fresh rows.
CREATE TABLE stage.transition_effect (
    task_id        text NOT NULL REFERENCES stage.task (id),
    transition_seq bigint NOT NULL,
    effect         text NOT NULL,
    token          bigint NOT NULL,
    from_stage     text NOT NULL,
    to_stage       text NOT NULL,
    status         text NOT NULL CHECK (status IN ('started', 'done', 'failed', 'in_doubt')),
    detail         text,
    attempts       integer NOT NULL DEFAULT 1,
    started_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (task_id, transition_seq, effect)
);

-- Transactional outbox (Debezium's contract): written in the same transaction as the state
-- change, relayed to Kafka afterwards, marked sent. Unsent rows are found by the partial index.
CREATE TABLE stage.outbox (
    id             bigserial PRIMARY KEY,
    event_id       uuid NOT NULL UNIQUE,
    topic          text NOT NULL,
    aggregate_type text NOT NULL,
    aggregate_id   text NOT NULL,
    event_type     text NOT NULL,
    payload        jsonb NOT NULL,
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    sent_at        timestamptz
);
CREATE INDEX outbox_unsent_idx ON stage.outbox (id) WHERE sent_at IS NULL;
