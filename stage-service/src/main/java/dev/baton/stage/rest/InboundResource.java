package dev.baton.stage.rest;

import dev.baton.stage.inbound.DeadLetterReplay;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Replay of a dead-lettered inbound event, behind {@code BATON_ADMIN_TOKEN} (the console's button makes the same call). */
@Path("/inbound")
@Produces(MediaType.APPLICATION_JSON)
public class InboundResource {

    /** Optional body of a replay. */
    public record ReplayBody(String reason) {
    }

    private final OperatorAuth auth;
    private final DeadLetterReplay replays;

    public InboundResource(OperatorAuth auth, DeadLetterReplay replays) {
        this.auth = auth;
        this.replays = replays;
    }

    @POST
    @Path("{eventId}/replay")
    @Operation(summary = "Replay a dead-lettered inbound event after a fix (Bearer BATON_ADMIN_TOKEN); "
            + "alerted InboundReplayed, answers where the event stands after the new attempt")
    public Uni<DeadLetterReplay.Replayed> replay(@PathParam("eventId") String eventId, ReplayBody body,
                                                 @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        auth.requireAdmin(authorization);
        return replays.replay(eventId, body == null ? null : body.reason());
    }
}
