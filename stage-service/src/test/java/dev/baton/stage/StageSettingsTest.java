package dev.baton.stage;

import dev.baton.infra.test.SettingsContract;

import java.util.List;

/** Each of stage-service's duration, count, rate and URL settings refuses a malformed and an out-of-range value. */
class StageSettingsTest extends SettingsContract {

    @Override
    protected List<Class<?>> settings() {
        return StageServiceMain.SETTINGS;
    }

    @Override
    protected Class<?> main() {
        return StageServiceMain.class;
    }

    @Override
    protected List<BadValues> table() {
        return List.of(
                bad("BATON_RECOVERY_INTERVAL", "soon", "-30s"),
                bad("BATON_RECOVERY_OUTBOX_POLL", "1 s", "500ms"),
                bad("BATON_RECOVERY_OUTBOX_BATCH", "200k", "0"),
                bad("BATON_LIVENESS_KEEPALIVES_IDLE_SECONDS", "15s", "0"),
                bad("BATON_LIVENESS_KEEPALIVES_INTERVAL_SECONDS", "5s", "601"),
                bad("BATON_LIVENESS_KEEPALIVES_COUNT", "four", "-1"),
                bad("BATON_LIVENESS_RECONNECT_DELAY", "2 s", "0ms"),
                bad("BATON_LIVENESS_FORGET_GRACE", "1 minute", "25h"),
                bad("BATON_GITEA_URL", "gitea.local", "ftp://gitea.local"),
                bad("BATON_GITEA_ATTEMPTS", "5x", "21"),
                bad("BATON_GITEA_BACKOFF", "500 ms", "0s"),
                bad("BATON_GITEA_TIMEOUT", "30 sec", "11m"),
                bad("BATON_PLANE_URL", "plane:8000", "http:/plane"),
                bad("BATON_PLANE_REQUESTS_PER_MINUTE", "fifty", "6001"),
                bad("BATON_PLANE_POLL", "1.5", "2h"),
                bad("BATON_PLANE_ATTEMPTS", "eight", "0"),
                bad("BATON_INBOUND_RETRY_DELAY", "5 s", "-5s"),
                bad("BATON_INBOUND_MAX_ATTEMPTS", "12.0", "0"),
                bad("BATON_INBOUND_POLL", "2 s", "200ms"),
                bad("BATON_CONSOLE_SESSION_TTL", "half a day", "31d"),
                bad("BATON_CONSOLE_LIVE_POLL", "1 s", "999ms"),
                bad("BATON_CONSOLE_TERMINAL_SHOWN", "all", "0"),
                bad("BATON_RETENTION_OUTBOX", "a month", "30m"),
                bad("BATON_RETENTION_INBOUND", "two weeks", "-14d"),
                bad("BATON_RETENTION_BATCH_SIZE", "500 rows", "0"),
                bad("BATON_RETENTION_MAX_BATCHES", "many", "100001"),
                bad("BATON_RETENTION_BROKER_TIMEOUT", "5 s", "0s"));
    }
}
