package dev.baton.notifier.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.notifier.card.Html;
import dev.baton.notifier.config.TelegramConfig;
import dev.baton.notifier.NotifierMetrics;
import dev.baton.notifier.repository.ChatRepository;
import dev.baton.notifier.repository.ChatSendRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Bot API as the notifier needs it: send, edit, delete — each returns a {@link TelegramResult}
 * and never throws. One call:
 * <ol>
 *   <li>resolves the chat through known migrations and waits for the chat's turn (per-chat queue,
 *       under {@code messages-per-minute}; every method counts, deletes too);</li>
 *   <li>writes the call down in the chat's durable budget before making it (not made if the
 *       database refuses, or if this process has yielded the chat meanwhile), and settles it when
 *       the call ends: a sender that takes the chat over counts every call that reached the wire;</li>
 *   <li>429 → pauses the chat for {@code parameters.retry_after} (or {@code Retry-After}) and
 *       tries again; a wait over {@code max-retry-after} drops the call;</li>
 *   <li>5xx, timeouts, connection errors → retried with doubling backoff up to
 *       {@code max-attempts}, then dropped (the next update re-renders the whole card);</li>
 *   <li>{@code migrate_to_chat_id} → stores the new chat id and tries again there;</li>
 *   <li>"can't parse entities" → sent again as plain text, logged;</li>
 *   <li>"message is not modified" → {@code NOT_MODIFIED}; "message to edit/delete not found" →
 *       {@code NOT_FOUND}; any other 4xx → {@code FAILED}.</li>
 * </ol>
 * The bot token is a URL path segment: every message kept from a failure passes {@link #redact}.
 * Blocking: call it from a worker thread.
 */
@ApplicationScoped
public class TelegramClient {

    private static final Logger LOG = Logger.getLogger(TelegramClient.class);
    private static final String HTML = "HTML";
    /** Extra passes beyond max-attempts for 429s, a migration and the plain-text fallback. */
    private static final int EXTRA_PASSES = 6;
    private static final Duration DB = Duration.ofSeconds(10);

    private final TelegramRestClient api;
    private final TelegramConfig config;
    private final ChatRepository chats;
    private final ObjectMapper json;
    private final ChatThrottle throttle;
    private final ChatSendRepository sends;
    private final NotifierMetrics metrics;
    private final Clock clock;
    private final Map<String, String> migrated = new ConcurrentHashMap<>();
    /** The longest a call can take to reach Telegram: the REST client's connect and read timeouts. */
    private final Duration onTheWire;

    public TelegramClient(@RestClient TelegramRestClient api, TelegramConfig config, ChatRepository chats,
                          ChatSendRepository sends, NotifierMetrics metrics, ObjectMapper json, Clock clock,
                          Sleeper sleeper,
                          @ConfigProperty(name = "quarkus.rest-client.telegram.connect-timeout") long connectTimeoutMs,
                          @ConfigProperty(name = "quarkus.rest-client.telegram.read-timeout") long readTimeoutMs) {
        this.onTheWire = Duration.ofMillis(connectTimeoutMs + readTimeoutMs);
        this.api = api;
        this.config = config;
        this.chats = chats;
        this.sends = sends;
        this.metrics = metrics;
        this.json = json;
        this.clock = clock;
        this.throttle = new ChatThrottle(clock, sleeper, config.messagesPerMinute());
    }

    /**
     * Waits until {@code chatId} may be sent to (its budget has a free slot and no 429 pause runs),
     * without spending the slot: the chat's sender picks what to send only then, alerts first.
     */
    public void awaitTurn(String chatId) throws InterruptedException {
        throttle.awaitFree(resolve(chatId));
    }

    /**
     * This process now sends to {@code chatId}: it counts the calls the previous sender (another
     * replica, maybe dead) made within the last minute against the chat's budget, the ones it still
     * had on the wire included. @return false when they cannot be read: the chat stays yielded (an
     * empty window could spend what the previous sender already spent), the caller tries again
     */
    public boolean adoptBudget(String chatId) {
        String chat = resolve(chatId);
        try {
            throttle.adopt(chat, sends.recent(chat, clock.instant(), ChatThrottle.WINDOW, onTheWire).await().atMost(DB));
            return true;
        } catch (RuntimeException e) {
            LOG.warnf("cannot read the recent calls to chat %s (%s); not sending to it until they can be read", chat,
                    e.getMessage());
            return false;
        }
    }

    /**
     * This process stopped sending to {@code chatId} (its sender lost the chat): a call that has
     * not been written down yet is not made, since the chat's new sender would not count it.
     */
    public void yieldChat(String chatId) {
        // Never reads the database: the caller may be an event-loop thread (the sender's lost connection).
        throttle.yieldChat(chatId);
        String to = migrated.get(chatId);
        if (to != null) {
            throttle.yieldChat(to);
        }
    }

    /** Both a token and a team chat are set. Without them the notifier keeps state but sends nothing. */
    public boolean configured() {
        return config.botToken().filter(t -> !t.isBlank()).isPresent()
                && config.chatId().filter(c -> !c.isBlank()).isPresent();
    }

    /** Sends an HTML message; {@code silent} sets {@code disable_notification}. */
    public TelegramResult send(String chatId, String html, boolean silent) {
        return call("sendMessage", chatId, (token, chat, plain) -> api.sendMessage(token,
                new TelegramRestClient.SendMessage(chat, plain ? Html.toPlain(html) : html, plain ? null : HTML,
                        silent ? Boolean.TRUE : null, TelegramRestClient.LinkPreviewOptions.OFF)));
    }

    /** Sends plain text (no parse mode): alerts, whose text is not ours to trust as HTML. */
    public TelegramResult sendPlain(String chatId, String text) {
        return call("sendMessage", chatId, (token, chat, plain) -> api.sendMessage(token,
                new TelegramRestClient.SendMessage(chat, text, null, null, TelegramRestClient.LinkPreviewOptions.OFF)));
    }

    /** Replaces the text of a message. */
    public TelegramResult edit(String chatId, long messageId, String html) {
        return call("editMessageText", chatId, (token, chat, plain) -> api.editMessageText(token,
                new TelegramRestClient.EditMessageText(chat, messageId, plain ? Html.toPlain(html) : html,
                        plain ? null : HTML, TelegramRestClient.LinkPreviewOptions.OFF)));
    }

    /** Deletes a message (a bot may delete its own messages in a group for 48 hours). */
    public TelegramResult delete(String chatId, long messageId) {
        return call("deleteMessage", chatId, (token, chat, plain) -> api.deleteMessage(token,
                new TelegramRestClient.DeleteMessage(chat, messageId)));
    }

    @FunctionalInterface
    private interface Invocation {
        Response invoke(String token, String chatId, boolean plain);
    }

    private TelegramResult call(String method, String requestedChat, Invocation invocation) {
        String token = config.botToken().orElse("");
        if (token.isBlank() || requestedChat == null || requestedChat.isBlank()) {
            return TelegramResult.failed(requestedChat, "Telegram is not configured");
        }
        String chat = resolve(requestedChat);
        boolean plain = false;
        int failures = 0;
        Duration backoff = config.backoff();
        String last = "";
        for (int pass = 0; pass < config.maxAttempts() + EXTRA_PASSES; pass++) {
            try {
                Instant taken = throttle.acquire(chat);
                Long reservation = reserve(chat, taken);
                if (reservation == null) {
                    metrics.telegramCall(method, "dropped");
                    return TelegramResult.failed(chat, "the call could not be written down for the chat's budget; not made");
                }
                if (!throttle.sendsTo(chat)) {
                    return TelegramResult.failed(chat, "no longer the sender of this chat");
                }
                Reply reply;
                try {
                    reply = exchange(invocation, token, chat, plain);
                } finally {
                    settle(chat, reservation, throttle.completed(chat, taken));
                }
                TelegramReply body = reply.body();
                if (body.ok()) {
                    metrics.telegramCall(method, "ok");
                    return new TelegramResult(TelegramResult.Status.OK, chatOf(body.result(), chat), messageIdOf(body.result()), "");
                }
                last = redact(reply.status() + " " + body.describe());
                int code = body.errorCode() != null ? body.errorCode() : reply.status();
                if (code == 429) {
                    metrics.telegramCall(method, "rate_limited");
                    Duration wait = retryAfter(body, reply.retryAfterHeader());
                    // The whole chat waits either way: nothing is sent to it before Telegram allows.
                    throttle.pause(chat, wait);
                    if (wait.compareTo(config.maxRetryAfter()) > 0) {
                        LOG.warnf("%s to chat %s: 429 asks to wait %ss, over the limit; update dropped for now", method, chat,
                                wait.toSeconds());
                        metrics.telegramCall(method, "dropped");
                        return TelegramResult.failed(chat, last);
                    }
                    LOG.infof("%s to chat %s: 429, waiting %ss", method, chat, wait.toSeconds());
                    continue;
                }
                if (body.parameters() != null && body.parameters().migrateToChatId() != null) {
                    String to = String.valueOf(body.parameters().migrateToChatId());
                    LOG.infof("chat %s was upgraded to supergroup %s; using the new id", chat, to);
                    remember(chat, to);
                    chat = to;
                    continue;
                }
                if (code >= 500) {
                    failures++;
                } else if (body.says("message is not modified")) {
                    return new TelegramResult(TelegramResult.Status.NOT_MODIFIED, chat, null, last);
                } else if (body.says("not found") || body.says("message_id_invalid")) {
                    return new TelegramResult(TelegramResult.Status.NOT_FOUND, chat, null, last);
                } else if (body.says("can't parse entities") && !plain) {
                    LOG.warnf("%s to chat %s: Telegram cannot parse the HTML (%s); sending as plain text", method, chat, last);
                    plain = true;
                    continue;
                } else {
                    LOG.warnf("%s to chat %s refused: %s", method, chat, last);
                    metrics.telegramCall(method, "failed");
                    return TelegramResult.failed(chat, last);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return TelegramResult.failed(chat, "interrupted");
            } catch (ChatThrottle.Yielded e) {
                return TelegramResult.failed(chat, e.getMessage());
            } catch (RuntimeException e) {
                // Timeouts and connection errors; their messages can carry the request URL, hence the token.
                last = redact(describe(e));
                failures++;
            }
            if (failures >= config.maxAttempts()) {
                LOG.warnf("%s to chat %s failed %d times (%s); update dropped for now, the card stays pending",
                        method, chat, failures, last);
                metrics.telegramCall(method, "dropped");
                return TelegramResult.failed(chat, last);
            }
            LOG.debugf("%s to chat %s failed (%s); retrying in %s ms", method, chat, last, backoff.toMillis());
            try {
                Thread.sleep(backoff.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return TelegramResult.failed(chat, "interrupted");
            }
            backoff = min(backoff.multipliedBy(2), config.maxBackoff());
        }
        LOG.warnf("%s to chat %s: gave up (%s)", method, chat, last);
        return TelegramResult.failed(chat, last);
    }

    /**
     * Writes the call down before it is made, counting from the latest instant it could reach
     * Telegram, so a sender that takes the chat over while it is on the wire (this replica was
     * killed) counts it. @return the reservation, or null when the database did not take it
     */
    private Long reserve(String chat, Instant taken) {
        try {
            return sends.reserve(chat, taken.plus(onTheWire)).await().atMost(DB);
        } catch (RuntimeException e) {
            LOG.warnf("cannot write down a call to chat %s for its budget (%s); not making it", chat, e.getMessage());
            return null;
        }
    }

    /** The call ended at {@code at}; if this fails the reservation keeps counting from its later instant. */
    private void settle(String chat, long reservation, Instant at) {
        try {
            sends.settle(reservation, at).await().atMost(DB);
        } catch (RuntimeException e) {
            LOG.warnf("cannot settle a call to chat %s for its budget: %s", chat, e.getMessage());
        }
    }

    private record Reply(int status, TelegramReply body, String retryAfterHeader) {
    }

    private Reply exchange(Invocation invocation, String token, String chat, boolean plain) {
        Response response;
        try {
            response = invocation.invoke(token, chat, plain);
        } catch (WebApplicationException e) {
            // A client configured with the default exception mapper: the body is still what counts.
            response = e.getResponse();
        }
        try (Response r = response) {
            String text = r.hasEntity() ? r.readEntity(String.class) : "";
            TelegramReply body;
            try {
                body = text.isBlank() ? new TelegramReply(false, null, r.getStatus(), "empty body", null)
                        : json.readValue(text, TelegramReply.class);
            } catch (Exception e) {
                body = new TelegramReply(false, null, r.getStatus(), "unreadable body", null);
            }
            if (!body.ok() && body.errorCode() == null) {
                body = new TelegramReply(false, body.result(), r.getStatus(), body.description(), body.parameters());
            }
            return new Reply(r.getStatus(), body, r.getHeaderString("Retry-After"));
        }
    }

    private static Duration retryAfter(TelegramReply body, String header) {
        if (body.parameters() != null && body.parameters().retryAfter() != null) {
            return Duration.ofSeconds(Math.max(0, body.parameters().retryAfter()));
        }
        if (header != null) {
            try {
                return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
            } catch (NumberFormatException ignored) {
                // an HTTP date or garbage: fall through to the default
            }
        }
        return Duration.ofSeconds(1);
    }

    private String resolve(String chat) {
        String known = migrated.get(chat);
        if (known != null) {
            return known;
        }
        try {
            String to = chats.migratedTo(chat).await().atMost(Duration.ofSeconds(10)).orElse(chat);
            migrated.put(chat, to);
            return to;
        } catch (RuntimeException e) {
            LOG.warnf("cannot read chat migrations (%s); using chat %s as configured", e.getMessage(), chat);
            return chat;
        }
    }

    private void remember(String from, String to) {
        migrated.put(from, to);
        migrated.replaceAll((k, v) -> v.equals(from) ? to : v);
        try {
            chats.recordMigration(from, to).await().atMost(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            LOG.warnf("cannot store the migration of chat %s to %s (%s); kept in memory", from, to, e.getMessage());
        }
    }

    private static String chatOf(JsonNode result, String fallback) {
        JsonNode id = result == null ? null : result.path("chat").path("id");
        return id != null && !id.isMissingNode() && !id.isNull() ? id.asText() : fallback;
    }

    private static Long messageIdOf(JsonNode result) {
        JsonNode id = result == null ? null : result.get("message_id");
        return id == null || id.isNull() ? null : id.asLong();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null && text.length() < 500; t = t.getCause()) {
            if (!text.isEmpty()) {
                text.append(" <- ");
            }
            text.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                text.append(": ").append(t.getMessage());
            }
        }
        return text.toString();
    }

    /** Removes the bot token from {@code text}, wherever it appears (it is part of every URL). */
    public String redact(String text) {
        String token = config.botToken().orElse("");
        if (text == null || token.isBlank()) {
            return text;
        }
        String encoded = java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8);
        return text.replace(token, "<token>").replace(encoded, "<token>");
    }
}
