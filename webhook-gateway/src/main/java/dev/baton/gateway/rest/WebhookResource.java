package dev.baton.gateway.rest;

import dev.baton.gateway.webhook.WebhookService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Plane and Gitea deliver here. The body is taken as raw bytes (any content type) because the HMAC is
 * over the exact bytes sent; JSON is parsed only after the signature matched. Runs on the event loop:
 * nothing here blocks, and the answer waits only for the broker's acknowledgement.
 */
@Path("/webhooks")
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class WebhookResource {

    private static final byte[] EMPTY = new byte[0];

    private final WebhookService service;

    public WebhookResource(WebhookService service) {
        this.service = service;
    }

    @POST
    @Path("/plane")
    public Uni<Response> plane(byte[] body,
                               @HeaderParam("X-Plane-Signature") String signature,
                               @HeaderParam("X-Plane-Delivery") String deliveryId) {
        return service.receivePlane(body == null ? EMPTY : body, signature, deliveryId).map(WebhookResource::accepted);
    }

    @POST
    @Path("/gitea")
    public Uni<Response> gitea(byte[] body,
                               @HeaderParam("X-Gitea-Signature") String signature,
                               @HeaderParam("X-Hub-Signature-256") String hubSignature,
                               @HeaderParam("X-Gitea-Event") String event,
                               @HeaderParam("X-Gitea-Event-Type") String eventType,
                               @HeaderParam("X-Gitea-Delivery") String deliveryId) {
        return service.receiveGitea(body == null ? EMPTY : body, signature, hubSignature, event, eventType, deliveryId)
                .map(WebhookResource::accepted);
    }

    private static Response accepted(dev.baton.gateway.webhook.Receipt receipt) {
        return Response.accepted(WebhookAccepted.from(receipt)).type(MediaType.APPLICATION_JSON).build();
    }
}
