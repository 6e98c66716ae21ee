package dev.baton.infra.fake;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.requestfilter.RequestFilterAction;
import com.github.tomakehurst.wiremock.extension.requestfilter.StubRequestFilterV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

/**
 * A WireMock request filter that checks credentials as Gitea and Plane do, before any stub
 * answers: a Gitea API call ({@code /api/v1/repos/...}) needs {@code Authorization: token <token>},
 * a Plane API call ({@code /api/v1/workspaces/...}) needs {@code X-API-Key: <key>}; anything else
 * gets that service's own 401. Installed as an extension, it outlives {@code resetAll()}, so a
 * test's URL-only stub still cannot be reached by a call that forgot its credentials.
 */
public final class OutsideCredentials implements StubRequestFilterV2 {

    private final String giteaToken;
    private final String planeKey;

    public OutsideCredentials(String giteaToken, String planeKey) {
        this.giteaToken = giteaToken;
        this.planeKey = planeKey;
    }

    @Override
    public RequestFilterAction filter(Request request, ServeEvent serveEvent) {
        String path = request.getUrl();
        if (path.startsWith("/api/v1/repos/") && !("token " + giteaToken).equals(request.getHeader("Authorization"))) {
            // Gitea's API answer to a missing or unknown token.
            return RequestFilterAction.stopWith(unauthorized(
                    "{\"message\":\"token is required\",\"url\":\"http://127.0.0.1/api/swagger\"}"));
        }
        if (path.startsWith("/api/v1/workspaces/") && !planeKey.equals(request.getHeader("X-API-Key"))) {
            // Plane's (Django REST framework) answer to a missing or unknown API key.
            return RequestFilterAction.stopWith(unauthorized("{\"detail\":\"Given API token is not valid\"}"));
        }
        return RequestFilterAction.continueWith(request);
    }

    private static ResponseDefinition unauthorized(String body) {
        return new ResponseDefinitionBuilder().withStatus(401).withHeader("Content-Type", "application/json")
                .withBody(body).build();
    }

    @Override
    public String getName() {
        return "baton-outside-credentials";
    }
}
