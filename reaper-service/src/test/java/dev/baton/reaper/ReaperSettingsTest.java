package dev.baton.reaper;

import dev.baton.infra.test.SettingsContract;

import java.util.List;

/** Each of the reaper's duration, count, rate and URL settings refuses a malformed and an out-of-range value. */
class ReaperSettingsTest extends SettingsContract {

    @Override
    protected List<Class<?>> settings() {
        return ReaperServiceMain.SETTINGS;
    }

    @Override
    protected Class<?> main() {
        return ReaperServiceMain.class;
    }

    @Override
    protected List<BadValues> table() {
        return List.of(
                // A negative ceiling would reap every running job at the first sweep.
                bad("BATON_REAPER_MAX_RUNNING", "2 hours", "-5s"),
                bad("BATON_REAPER_INTERVAL", "abc", "0s"),
                bad("BATON_REAPER_FINALIZE_GRACE", "5 min", "25h"),
                bad("BATON_REAPER_PIPELINE_TTL", "soon", "0s"),
                bad("BATON_FINALIZER_INTERVAL", "30x", "2h"),
                bad("BATON_FINALIZER_STATUS_URL", "rollout/{taskId}", "ftp://rollout/{taskId}"),
                bad("BATON_FINALIZER_STATUS_TIMEOUT", "10 s", "10ms"),
                bad("BATON_RECONCILER_INTERVAL", "PT", "-30s"),
                bad("BATON_RECONCILER_REQUESTS_PER_MINUTE", "ten", "0"),
                bad("BATON_RECONCILER_PLANE_TIMEOUT", "1 s", "6m"),
                bad("BATON_RECONCILER_THROTTLED_PAUSE", "1m30", "0s"),
                bad("BATON_STAGE_SERVICE_URL", "localhost:8081", "ftp://localhost:8081"),
                bad("BATON_STAGE_SERVICE_ATTEMPTS", "3.5", "0"),
                bad("BATON_STAGE_SERVICE_BACKOFF", "fast", "0s"),
                bad("BATON_STAGE_SERVICE_TIMEOUT", "30 seconds", "11m"),
                bad("BATON_GITEA_URL", "gitea.local", "http://"),
                bad("BATON_GITEA_RUNS_LIMIT", "all", "0"),
                bad("BATON_PLANE_URL", "plane", "file:///plane"));
    }
}
