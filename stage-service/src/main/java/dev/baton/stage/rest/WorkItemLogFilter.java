package dev.baton.stage.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A request about one work item ({@code /tasks/{id}/...}, {@code /leases/{id}/...}) names it in the
 * MDC, so every line logged while serving it carries {@code workItem}: the request's own Vert.x
 * context holds the MDC, so concurrent requests never see each other's.
 */
public class WorkItemLogFilter {

    @ServerRequestFilter
    public void nameTheWorkItem(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        String id = request.getUriInfo().getPathParameters().getFirst("id");
        if (id != null && (path.startsWith("/tasks/") || path.startsWith("/leases/"))) {
            MDC.put("workItem", id);
        }
    }
}
