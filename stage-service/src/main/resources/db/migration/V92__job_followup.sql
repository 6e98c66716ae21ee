-- What a job claim's winner does next: the transition it asks for right after the claim (the
-- reaper's rollback, a finalisation's verdict). Written in the claim's transaction, so a claimant
-- that dies between its claim and its transition leaves the row, and stage-service's follow-up
-- sweep asks that transition for it (docs/stage-service.md, "Follow-ups"). A row is dropped once
-- its task has left the job's stage or has a newer job.
CREATE TABLE stage.job_followup (
    job_id     bigint PRIMARY KEY REFERENCES stage.job (id),
    task_id    text NOT NULL REFERENCES stage.task (id),
    from_stage text NOT NULL,
    to_stage   text NOT NULL,
    actor      text NOT NULL,
    request_id text NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    asked_at   timestamptz,
    asks       integer NOT NULL DEFAULT 0
);
