-- The notifier's own view of each work item, built from baton.transitions events, and where its
-- Telegram card lives. Message columns change only through a version CAS, so two notifier
-- replicas never both send or repoint a card (see CardSyncService).
CREATE TABLE notifier.card (
    work_item      text PRIMARY KEY,
    title          text,
    repo           text,
    pr_number      bigint,
    pr_url         text,
    stage          text,
    stage_version  bigint,
    job_stage      text,
    job_status     text,
    chat_id        text,
    message_id     bigint,
    text_hash      text,
    sent_at        timestamptz,
    claimed_until  timestamptz,
    version        bigint NOT NULL DEFAULT 0,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- One row per agent run, keyed by runId: a redelivered AgentRunRecorded is not counted twice,
-- and the card's cost is the exact (numeric) sum over these rows.
CREATE TABLE notifier.agent_run (
    run_id       text PRIMARY KEY,
    work_item    text NOT NULL,
    agent        text NOT NULL,
    model        text,
    effort       text,
    attempt      integer,
    cost_usd     numeric(18, 6) NOT NULL DEFAULT 0,
    tokens_in    bigint NOT NULL DEFAULT 0,
    tokens_out   bigint NOT NULL DEFAULT 0,
    occurred_at  timestamptz NOT NULL,
    seq          bigserial NOT NULL
);
CREATE INDEX agent_run_work_item ON notifier.agent_run (work_item);

-- A group chat upgraded to a supergroup gets a new id (Bot API migrate_to_chat_id).
CREATE TABLE notifier.chat_migration (
    old_chat_id  text PRIMARY KEY,
    new_chat_id  text NOT NULL,
    migrated_at  timestamptz NOT NULL DEFAULT now()
);

-- Alerts already sent, by content key: the same alert within the window is not repeated.
CREATE TABLE notifier.alert_sent (
    dedupe_key   text PRIMARY KEY,
    sent_at      timestamptz NOT NULL
);
