package dev.baton.stage;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Fake Gitea and Plane (one WireMock server) for the effect and sync tests. */
public class OutsideWireMock implements QuarkusTestResourceLifecycleManager {

    private static WireMockServer server;

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        return Map.of("baton.gitea.url", server.baseUrl(), "baton.gitea.token", "test-gitea-token",
                "baton.plane.url", server.baseUrl(), "baton.plane.api-key", "test-plane-key",
                "baton.plane.workspace", "acme",
                "baton.plane.state-map", "analysis=state-analysis,cancelled=state-cancelled");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }

    public static WireMockServer server() {
        return server;
    }
}
