package dev.baton.runner.client;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import java.util.function.Supplier;

/**
 * Every answer as a {@link Response}, whatever its status: the REST client's default mapper turns a
 * 4xx or 5xx into a {@link WebApplicationException}, but here a 409 (a lost claim, an existing pull
 * request, a repeated Plane comment) is an ordinary outcome the caller decides on.
 */
final class Responses {

    private Responses() {
    }

    static Response of(Supplier<Response> call) {
        try {
            return call.get();
        } catch (WebApplicationException answered) {
            return answered.getResponse();
        }
    }
}
