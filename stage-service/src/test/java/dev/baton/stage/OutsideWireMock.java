package dev.baton.stage;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.baton.infra.fake.OutsideCredentials;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Fake Gitea and Plane (one WireMock server) for the effect and sync tests. A call without the
 * configured Gitea token or Plane key gets their 401 whatever the test stubbed.
 */
public class OutsideWireMock implements QuarkusTestResourceLifecycleManager {

    public static final String GITEA_TOKEN = "test-gitea-token";
    public static final String PLANE_KEY = "test-plane-key";

    private static WireMockServer server;

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new OutsideCredentials(GITEA_TOKEN, PLANE_KEY)));
        server.start();
        return Map.of("baton.gitea.url", server.baseUrl(), "baton.gitea.token", GITEA_TOKEN,
                "baton.plane.url", server.baseUrl(), "baton.plane.api-key", PLANE_KEY,
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
