-- The transition fast path (docs/adr/0007-transition-fast-path.md): each step of the protocol
-- is ONE statement, so ONE round trip and ONE commit, instead of a transaction of several
-- statements that holds its locks across round trips.
--
-- Locking rule for every function below: the task row is locked (FOR NO KEY UPDATE) before any
-- lease row is touched, and everything after the lock is read with a fresh snapshot (PL/pgSQL
-- takes one per statement in a VOLATILE function under READ COMMITTED). A transition that waits
-- therefore waits only for another single statement to commit, never for a round trip, an
-- effect or a gate evaluation, and it decides on what that statement committed.

-- Whether the liveness registration with this lock key is held now (LivenessRegistration.LIVE_SQL:
-- its session advisory lock (NAMESPACE 0x42544E01 = 1112821249, lock_key) shows in pg_locks).
CREATE FUNCTION stage.owner_live(p_lock_key integer) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM pg_locks pl
                   WHERE pl.locktype = 'advisory' AND pl.granted AND pl.objsubid = 2
                     AND pl.classid = 1112821249::oid AND pl.objid = p_lock_key::oid
                     AND pl.database = (SELECT oid FROM pg_database WHERE datname = current_database()))
$$;

-- What one protocol step answers: the outcome, the task as the step left it, the lease that
-- made it defer (or that is stale), and the first effect's ledger row when one existed already.
CREATE TYPE stage.transition_step AS (
    outcome        text,
    id             text,
    repo           text,
    title          text,
    stage          text,
    version        bigint,
    created_at     timestamptz,
    updated_at     timestamptz,
    plane_project  text,
    plane_issue    text,
    token          bigint,
    owner_actor    text,
    owner_instance uuid,
    owner_pid      bigint,
    owner_host     text,
    from_stage     text,
    to_stage       text,
    reason         text,
    request_id     text,
    acquired_at    timestamptz,
    age_s          bigint,
    live           boolean,
    effect_status  text,
    effect_token   bigint
);

-- The rows every committed stage change writes beside the CAS (its commit participants): the
-- history row, the transition event in the outbox, the job queue's change (a job still queued
-- for the stage left is dropped; a worked stage gets its job and a JobQueued event) and the Plane
-- sync row. Called only by the functions below, inside their single statement.
CREATE FUNCTION stage.record_stage_change(p_task stage.task, p_from text, p_to text, p_kind text, p_event text,
                                          p_actor text, p_reason text, p_token bigint, p_guarded boolean,
                                          p_request_id text, p_queue_job boolean, p_plane_sync boolean)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_job bigint;
BEGIN
    INSERT INTO stage.stage_history (task_id, from_stage, to_stage, actor, reason, kind, token, guarded, request_id)
    VALUES (p_task.id, p_from, p_to, p_actor, p_reason, p_kind, p_token, p_guarded, p_request_id);
    INSERT INTO stage.outbox (event_id, topic, aggregate_type, aggregate_id, event_type, payload)
    VALUES (gen_random_uuid(), 'baton.transitions', 'task', p_task.id, p_event,
            jsonb_build_object('taskId', p_task.id, 'repo', p_task.repo, 'title', p_task.title, 'from', p_from,
                               'to', p_to, 'kind', p_kind, 'actor', p_actor, 'reason', p_reason, 'token', p_token,
                               'guarded', p_guarded, 'version', p_task.version, 'requestId', p_request_id));
    UPDATE stage.job SET status = 'failed', detail = 'stage left before a runner took it', finished_at = now()
    WHERE task_id = p_task.id AND status = 'queued';
    IF p_queue_job THEN
        INSERT INTO stage.job (task_id, stage, status) VALUES (p_task.id, p_to, 'queued')
        ON CONFLICT (task_id) WHERE status IN ('queued', 'running') DO NOTHING
        RETURNING id INTO v_job;
        IF v_job IS NOT NULL THEN
            INSERT INTO stage.outbox (event_id, topic, aggregate_type, aggregate_id, event_type, payload)
            VALUES (gen_random_uuid(), 'baton.transitions', 'task', p_task.id, 'JobQueued',
                    jsonb_build_object('taskId', p_task.id, 'jobId', v_job, 'stage', p_to));
        END IF;
    END IF;
    IF p_plane_sync AND p_task.plane_project IS NOT NULL AND p_task.plane_issue IS NOT NULL THEN
        INSERT INTO stage.plane_sync (task_id, version, from_stage, to_stage, token, actor)
        VALUES (p_task.id, p_task.version, p_from, p_to, p_token, p_actor)
        ON CONFLICT (task_id, version) DO NOTHING;
    END IF;
END
$$;

-- The lease of a task with its owner's liveness, as a step's answer.
CREATE FUNCTION stage.lease_answer(p_outcome text, p_task stage.task) RETURNS stage.transition_step
    LANGUAGE plpgsql AS $$
DECLARE
    v_step stage.transition_step;
BEGIN
    SELECT p_outcome, p_task.id, p_task.repo, p_task.title, p_task.stage, p_task.version, p_task.created_at,
           p_task.updated_at, p_task.plane_project, p_task.plane_issue,
           l.token, l.owner_actor, l.owner_instance, l.owner_pid, l.owner_host, l.from_stage, l.to_stage, l.reason,
           l.request_id, l.acquired_at, floor(extract(epoch FROM now() - l.acquired_at))::bigint,
           stage.owner_live(i.lock_key), NULL, NULL
    INTO v_step
    FROM stage.transition_lease l JOIN stage.instance i ON i.boot_id = l.owner_instance
    WHERE l.task_id = p_task.id;
    IF NOT FOUND THEN
        RETURN NULL; -- every field NULL: the caller tests outcome
    END IF;
    IF NOT v_step.live THEN
        v_step.outcome := 'stale';
    END IF;
    RETURN v_step;
END
$$;

CREATE FUNCTION stage.task_answer(p_outcome text, p_task stage.task) RETURNS stage.transition_step
    LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(p_outcome, p_task.id, p_task.repo, p_task.title, p_task.stage, p_task.version, p_task.created_at,
               p_task.updated_at, p_task.plane_project, p_task.plane_issue, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               NULL, NULL, NULL, NULL, NULL, NULL, NULL)::stage.transition_step
$$;

-- The enter step, ONE statement. Answers, in this order (the first that applies):
--   not-found; unguarded (repo outside p_scope, NULL = every repo: the caller runs the pre-lease
--   path); already / conflict (the task is not at p_from); unregistered (p_boot NULL or its
--   stage.instance row gone: the caller answers 503 and registers again); deferred (a live owner
--   holds the lease) / stale (a dead one does: the caller reclaims it); gates (p_gates_passed is
--   false: nothing was locked or written, the caller evaluates the gates and calls again);
-- then, with the task row locked and the checks above repeated on what is committed now:
--   p_lease false (an effect-free transition): the stage CAS and its rows, committed with this
--   statement: 'advanced';
--   p_lease true: the lease is inserted (token from the sequence) and, when p_effect is given,
--   the ledger row of the first effect is recorded 'started' under that token: 'entered'. If
--   that ledger row existed already (an earlier attempt), it is left as it was and its status
--   and token are returned for the caller to resume from.
CREATE FUNCTION stage.transition_enter(p_task_id text, p_from text, p_to text, p_kind text, p_event text,
                                       p_actor text, p_reason text, p_request_id text,
                                       p_boot uuid, p_pid bigint, p_host text, p_scope text[],
                                       p_gates_passed boolean, p_lease boolean, p_effect text,
                                       p_queue_job boolean, p_plane_sync boolean)
    RETURNS stage.transition_step LANGUAGE plpgsql AS $$
DECLARE
    v_task stage.task;
    v_step stage.transition_step;
    v_locked boolean := false;
BEGIN
    -- Read first without locking: a loser learns already / conflict / deferred from what is
    -- committed, without queueing behind the winner's row lock. Then lock and read again.
    LOOP
        IF v_locked THEN
            SELECT * INTO v_task FROM stage.task WHERE id = p_task_id FOR NO KEY UPDATE;
        ELSE
            SELECT * INTO v_task FROM stage.task WHERE id = p_task_id;
        END IF;
        IF NOT FOUND THEN
            RETURN stage.task_answer('not-found', NULL::stage.task);
        END IF;
        IF p_scope IS NOT NULL AND NOT v_task.repo = ANY (p_scope) THEN
            RETURN stage.task_answer('unguarded', v_task);
        END IF;
        IF v_task.stage = p_to THEN
            RETURN stage.task_answer('already', v_task);
        END IF;
        IF v_task.stage <> p_from THEN
            RETURN stage.task_answer('conflict', v_task);
        END IF;
        IF p_boot IS NULL OR NOT EXISTS (SELECT 1 FROM stage.instance WHERE boot_id = p_boot) THEN
            RETURN stage.task_answer('unregistered', v_task);
        END IF;
        v_step := stage.lease_answer('deferred', v_task);
        -- Not "v_step IS NOT NULL": for a row value that is true only if EVERY field is non-null.
        IF v_step.outcome IS NOT NULL THEN
            RETURN v_step;
        END IF;
        IF NOT p_gates_passed THEN
            RETURN stage.task_answer('gates', v_task);
        END IF;
        EXIT WHEN v_locked;
        v_locked := true;
    END LOOP;

    IF NOT p_lease THEN
        -- No lease row, but a token all the same: the history row, the event and the Plane
        -- comment's external id name every guarded transition by one, as they always did.
        UPDATE stage.task SET stage = p_to, version = version + 1, updated_at = now()
        WHERE id = p_task_id RETURNING * INTO v_task;
        v_step := stage.task_answer('advanced', v_task);
        v_step.token := nextval('stage.lease_token_seq');
        PERFORM stage.record_stage_change(v_task, p_from, p_to, p_kind, p_event, p_actor, p_reason, v_step.token,
                                          true, p_request_id, p_queue_job, p_plane_sync);
        RETURN v_step;
    END IF;

    v_step := stage.task_answer('entered', v_task);
    INSERT INTO stage.transition_lease (task_id, token, owner_actor, owner_instance, owner_pid, owner_host,
                                        from_stage, to_stage, reason, request_id)
    VALUES (p_task_id, nextval('stage.lease_token_seq'), p_actor, p_boot, p_pid, p_host, p_from, p_to, p_reason,
            p_request_id)
    ON CONFLICT (task_id) DO NOTHING
    RETURNING token INTO v_step.token;
    IF v_step.token IS NULL THEN
        -- Only a writer that skips the task row lock gets here first; answer from its lease.
        v_step := stage.lease_answer('deferred', v_task);
        RETURN CASE WHEN v_step.outcome IS NULL THEN stage.task_answer('retry', v_task) ELSE v_step END;
    END IF;
    IF p_effect IS NOT NULL THEN
        INSERT INTO stage.transition_effect (task_id, transition_seq, effect, token, from_stage, to_stage, status)
        VALUES (p_task_id, v_task.version, p_effect, v_step.token, p_from, p_to, 'started')
        ON CONFLICT (task_id, transition_seq, effect) DO NOTHING;
        IF NOT FOUND THEN
            SELECT status, token INTO v_step.effect_status, v_step.effect_token FROM stage.transition_effect
            WHERE task_id = p_task_id AND transition_seq = v_task.version AND effect = p_effect;
        END IF;
    END IF;
    RETURN v_step;
END
$$;

-- The commit step of a leased transition, ONE statement: the last effect's 'done' (fenced by the
-- ledger row's token p_effect_token, written even if the lease was lost since: the effect did
-- happen), then the lease released fenced by p_token, the stage CAS and its rows. Answers
-- 'fenced' (the lease is not ours any more: nothing else written), 'lost-race' (the stage moved
-- under the lease: the lease is released, nothing else written) or 'advanced'.
CREATE FUNCTION stage.transition_commit(p_task_id text, p_token bigint, p_from text, p_to text, p_kind text,
                                        p_event text, p_actor text, p_reason text, p_request_id text,
                                        p_effect text, p_effect_seq bigint, p_effect_token bigint,
                                        p_effect_detail text, p_queue_job boolean, p_plane_sync boolean)
    RETURNS stage.transition_step LANGUAGE plpgsql AS $$
DECLARE
    v_task stage.task;
BEGIN
    SELECT * INTO v_task FROM stage.task WHERE id = p_task_id FOR NO KEY UPDATE;
    IF p_effect IS NOT NULL THEN
        UPDATE stage.transition_effect SET status = 'done', detail = p_effect_detail, token = p_token,
                                           updated_at = now()
        WHERE task_id = p_task_id AND transition_seq = p_effect_seq AND effect = p_effect AND token = p_effect_token;
        IF NOT FOUND THEN
            RETURN stage.task_answer('fenced', v_task);
        END IF;
    END IF;
    DELETE FROM stage.transition_lease WHERE task_id = p_task_id AND token = p_token;
    IF NOT FOUND THEN
        RETURN stage.task_answer('fenced', v_task);
    END IF;
    UPDATE stage.task SET stage = p_to, version = version + 1, updated_at = now()
    WHERE id = p_task_id AND stage = p_from RETURNING * INTO v_task;
    IF NOT FOUND THEN
        RETURN stage.task_answer('lost-race', NULL::stage.task);
    END IF;
    PERFORM stage.record_stage_change(v_task, p_from, p_to, p_kind, p_event, p_actor, p_reason, p_token, true,
                                      p_request_id, p_queue_job, p_plane_sync);
    RETURN stage.task_answer('advanced', v_task);
END
$$;

-- The pre-lease write the kill switch keeps (and repos outside the lease's scope get): the
-- unconditional stage update and its rows, with guarded = false.
CREATE FUNCTION stage.transition_unguarded(p_task_id text, p_from text, p_to text, p_kind text, p_event text,
                                           p_actor text, p_reason text, p_request_id text,
                                           p_queue_job boolean, p_plane_sync boolean)
    RETURNS stage.transition_step LANGUAGE plpgsql AS $$
DECLARE
    v_task stage.task;
BEGIN
    UPDATE stage.task SET stage = p_to, version = version + 1, updated_at = now()
    WHERE id = p_task_id RETURNING * INTO v_task;
    PERFORM stage.record_stage_change(v_task, p_from, p_to, p_kind, p_event, p_actor, p_reason, NULL, false,
                                      p_request_id, p_queue_job, p_plane_sync);
    RETURN stage.task_answer('advanced', v_task);
END
$$;
