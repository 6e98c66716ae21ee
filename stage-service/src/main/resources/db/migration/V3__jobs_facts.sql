-- Jobs worked by agent runners, the agent runs they report, and the facts the quality gates
-- read (PR, CI statuses, coverage and its floor, approval, deploy results).

-- A runner's current boot id: a job taken under an older boot id lost its agent (reaper Tier 1).
CREATE TABLE stage.runner (
    runner_id     text PRIMARY KEY,
    boot_id       text NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE stage.job (
    id             bigserial PRIMARY KEY,
    task_id        text NOT NULL REFERENCES stage.task (id),
    stage          text NOT NULL,
    status         text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'reaped')),
    runner_id      text,
    runner_boot_id text,
    detail         text,
    queued_at      timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    exit_code      integer,
    exit_at        timestamptz,
    finished_at    timestamptz
);
-- The pick takes the oldest queued job; the reaper reads the running ones.
CREATE INDEX job_queued_idx ON stage.job (queued_at, id) WHERE status = 'queued';
CREATE INDEX job_running_idx ON stage.job (started_at) WHERE status = 'running';
CREATE INDEX job_task_idx ON stage.job (task_id);
-- At most one open job per task.
CREATE UNIQUE INDEX job_one_open_per_task ON stage.job (task_id) WHERE status IN ('queued', 'running');

CREATE TABLE stage.agent_run (
    id          bigserial PRIMARY KEY,
    job_id      bigint NOT NULL REFERENCES stage.job (id),
    task_id     text NOT NULL REFERENCES stage.task (id),
    agent       text NOT NULL,
    model       text,
    effort      text,
    attempt     integer NOT NULL DEFAULT 1,
    cost_usd    numeric(12, 6) NOT NULL DEFAULT 0,
    tokens_in   bigint NOT NULL DEFAULT 0,
    tokens_out  bigint NOT NULL DEFAULT 0,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_run_task_idx ON stage.agent_run (task_id);

CREATE TABLE stage.task_facts (
    task_id           text PRIMARY KEY REFERENCES stage.task (id),
    pr_number         integer,
    pr_url            text,
    head_sha          text,
    pr_state          text CHECK (pr_state IN ('open', 'merged', 'closed')),
    merge_sha         text,
    coverage          numeric(6, 2),
    approved_by       text,
    approved_at       timestamptz,
    staging_deploy    text CHECK (staging_deploy IN ('pending', 'success', 'failure')),
    production_deploy text CHECK (production_deploy IN ('pending', 'success', 'failure')),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE stage.commit_status (
    repo       text NOT NULL,
    sha        text NOT NULL,
    context    text NOT NULL,
    state      text NOT NULL CHECK (state IN ('pending', 'success', 'failure', 'error', 'warning')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (repo, sha, context)
);

-- The coverage ratchet: only ever raised (GREATEST), never lowered.
CREATE TABLE stage.coverage_floor (
    repo       text PRIMARY KEY,
    floor      numeric(6, 2) NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
