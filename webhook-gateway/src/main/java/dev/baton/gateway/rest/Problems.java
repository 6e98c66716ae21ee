package dev.baton.gateway.rest;

import io.vertx.core.json.JsonObject;

/** The one shape of every refusal: {@code application/problem+json} (RFC 9457). */
final class Problems {

    static final String PROBLEM_JSON = "application/problem+json";

    private Problems() {
    }

    static String body(int status, String title, String detail, String instance) {
        JsonObject body = new JsonObject().put("type", "about:blank").put("title", title).put("status", status)
                .put("detail", detail);
        if (instance != null) {
            body.put("instance", instance);
        }
        return body.encode();
    }
}
