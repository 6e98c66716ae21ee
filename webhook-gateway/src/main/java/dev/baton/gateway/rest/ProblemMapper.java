package dev.baton.gateway.rest;

import dev.baton.gateway.webhook.WebhookRejected;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every refusal is {@code application/problem+json}, never an HTML page or a stack trace. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response rejected(WebhookRejected e, UriInfo uri) {
        return problem(e.status(), e.title(), e.getMessage(), uri);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        return problem(status, e.getResponse().getStatusInfo().getReasonPhrase(), e.getMessage(), uri);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, UriInfo uri) {
        LOG.error("unexpected failure on " + uri.getPath(), e);
        return problem(500, "Internal Server Error", "unexpected failure; see the service log", uri);
    }

    static Response problem(int status, String title, String detail, UriInfo uri) {
        return Response.status(status).type(Problems.PROBLEM_JSON)
                .entity(Problems.body(status, title, detail, uri == null ? null : uri.getPath())).build();
    }
}
