package dev.baton.notifier.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The three Bot API methods the notifier uses. The token is a path segment, so a URL must never
 * reach a log line: only {@link TelegramClient} calls this, and it redacts every message it keeps.
 * Methods return the raw {@link Response}: Telegram's error bodies carry what the caller acts on.
 */
@Path("/bot{token}")
@RegisterRestClient(configKey = "telegram")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public interface TelegramRestClient {

    @POST
    @Path("/sendMessage")
    Response sendMessage(@PathParam("token") String token, SendMessage request);

    @POST
    @Path("/editMessageText")
    Response editMessageText(@PathParam("token") String token, EditMessageText request);

    @POST
    @Path("/deleteMessage")
    Response deleteMessage(@PathParam("token") String token, DeleteMessage request);

    /** Link previews off: a card with a PR link should not grow a preview box. */
    record LinkPreviewOptions(@JsonProperty("is_disabled") boolean disabled) {
        static final LinkPreviewOptions OFF = new LinkPreviewOptions(true);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SendMessage(@JsonProperty("chat_id") String chatId,
                       @JsonProperty("text") String text,
                       @JsonProperty("parse_mode") String parseMode,
                       @JsonProperty("disable_notification") Boolean disableNotification,
                       @JsonProperty("link_preview_options") LinkPreviewOptions linkPreviewOptions) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record EditMessageText(@JsonProperty("chat_id") String chatId,
                           @JsonProperty("message_id") long messageId,
                           @JsonProperty("text") String text,
                           @JsonProperty("parse_mode") String parseMode,
                           @JsonProperty("link_preview_options") LinkPreviewOptions linkPreviewOptions) {
    }

    record DeleteMessage(@JsonProperty("chat_id") String chatId,
                         @JsonProperty("message_id") long messageId) {
    }
}
