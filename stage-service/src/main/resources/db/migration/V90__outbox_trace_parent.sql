-- Tracing (docs/operations.md, "Observability: traces and logs"): every outbox row keeps the W3C
-- traceparent of the span that was current when its transaction wrote it, so the relay publishes it
-- as the parent of its producer span and the consumers continue the transition's trace. NULL when
-- tracing is off or the writer had no span; the relay then starts no trace from it.
ALTER TABLE stage.outbox ADD COLUMN trace_parent text;

-- The fast path's functions (V10) write the transition's outbox rows inside their one statement, so
-- each takes the traceparent as one more, last, parameter. A new signature is a new function in
-- PostgreSQL: the old ones are dropped, and the bodies below are V10's with only that parameter
-- added and passed on (record_stage_change writes it into both outbox rows).
DROP FUNCTION stage.transition_unguarded(text, text, text, text, text, text, text, text, boolean, boolean);
DROP FUNCTION stage.transition_commit(text, bigint, text, text, text, text, text, text, text, text, bigint, bigint, text,
                                      boolean, boolean);
DROP FUNCTION stage.transition_enter(text, text, text, text, text, text, text, text, uuid, bigint, text, text[], boolean,
                                     boolean, text, boolean, boolean);
DROP FUNCTION stage.record_stage_change(stage.task, text, text, text, text, text, text, bigint, boolean, text, boolean,
                                        boolean);

CREATE FUNCTION stage.record_stage_change(p_task stage.task, p_from text, p_to text, p_kind text, p_event text,
                                          p_actor text, p_reason text, p_token bigint, p_guarded boolean,
                                          p_request_id text, p_queue_job boolean, p_plane_sync boolean,
                                          p_trace_parent text)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_job bigint;
BEGIN
    INSERT INTO stage.stage_history (task_id, from_stage, to_stage, actor, reason, kind, token, guarded, request_id)
    VALUES (p_task.id, p_from, p_to, p_actor, p_reason, p_kind, p_token, p_guarded, p_request_id);
    INSERT INTO stage.outbox (event_id, topic, aggregate_type, aggregate_id, event_type, payload, trace_parent)
    VALUES (gen_random_uuid(), 'baton.transitions', 'task', p_task.id, p_event,
            jsonb_build_object('taskId', p_task.id, 'repo', p_task.repo, 'title', p_task.title, 'from', p_from,
                               'to', p_to, 'kind', p_kind, 'actor', p_actor, 'reason', p_reason, 'token', p_token,
                               'guarded', p_guarded, 'version', p_task.version, 'requestId', p_request_id),
            p_trace_parent);
    UPDATE stage.job SET status = 'failed', detail = 'stage left before a runner took it', finished_at = now()
    WHERE task_id = p_task.id AND status = 'queued';
    IF p_queue_job THEN
        INSERT INTO stage.job (task_id, stage, status) VALUES (p_task.id, p_to, 'queued')
        ON CONFLICT (task_id) WHERE status IN ('queued', 'running') DO NOTHING
        RETURNING id INTO v_job;
        IF v_job IS NOT NULL THEN
            INSERT INTO stage.outbox (event_id, topic, aggregate_type, aggregate_id, event_type, payload,
                                      trace_parent)
            VALUES (gen_random_uuid(), 'baton.transitions', 'task', p_task.id, 'JobQueued',
                    jsonb_build_object('taskId', p_task.id, 'jobId', v_job, 'stage', p_to), p_trace_parent);
        END IF;
    END IF;
    IF p_plane_sync AND p_task.plane_project IS NOT NULL AND p_task.plane_issue IS NOT NULL THEN
        INSERT INTO stage.plane_sync (task_id, version, from_stage, to_stage, token, actor)
        VALUES (p_task.id, p_task.version, p_from, p_to, p_token, p_actor)
        ON CONFLICT (task_id, version) DO NOTHING;
    END IF;
END
$$;

CREATE FUNCTION stage.transition_enter(p_task_id text, p_from text, p_to text, p_kind text, p_event text,
                                       p_actor text, p_reason text, p_request_id text,
                                       p_boot uuid, p_pid bigint, p_host text, p_scope text[],
                                       p_gates_passed boolean, p_lease boolean, p_effect text,
                                       p_queue_job boolean, p_plane_sync boolean, p_trace_parent text)
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
                                          true, p_request_id, p_queue_job, p_plane_sync, p_trace_parent);
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

CREATE FUNCTION stage.transition_commit(p_task_id text, p_token bigint, p_from text, p_to text, p_kind text,
                                        p_event text, p_actor text, p_reason text, p_request_id text,
                                        p_effect text, p_effect_seq bigint, p_effect_token bigint,
                                        p_effect_detail text, p_queue_job boolean, p_plane_sync boolean,
                                        p_trace_parent text)
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
                                      p_request_id, p_queue_job, p_plane_sync, p_trace_parent);
    RETURN stage.task_answer('advanced', v_task);
END
$$;

CREATE FUNCTION stage.transition_unguarded(p_task_id text, p_from text, p_to text, p_kind text, p_event text,
                                           p_actor text, p_reason text, p_request_id text,
                                           p_queue_job boolean, p_plane_sync boolean, p_trace_parent text)
    RETURNS stage.transition_step LANGUAGE plpgsql AS $$
DECLARE
    v_task stage.task;
BEGIN
    UPDATE stage.task SET stage = p_to, version = version + 1, updated_at = now()
    WHERE id = p_task_id RETURNING * INTO v_task;
    PERFORM stage.record_stage_change(v_task, p_from, p_to, p_kind, p_event, p_actor, p_reason, NULL, false,
                                      p_request_id, p_queue_job, p_plane_sync, p_trace_parent);
    RETURN stage.task_answer('advanced', v_task);
END
$$;
