package dev.baton.stage.job;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * The built-in pipeline with its real gates and effects (Gitea faked by WireMock), every repo
 * guarded, short Gitea timeouts and backoffs so failure paths run fast, and Plane syncs drained by
 * the tests themselves.
 */
public class RealPipeline implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "baton.pipeline.file", "",
                "baton.transition-lease.repos", "*",
                "baton.gitea.timeout", "10s",
                "baton.gitea.backoff", "20ms",
                "baton.gitea.attempts", "3",
                "baton.plane.poll", "1h",
                "baton.inbound.retry-delay", "300ms",
                "baton.inbound.max-attempts", "3",
                // The scheduler ticks once a second: its shortest period.
                "baton.inbound.poll", "1s");
    }
}
