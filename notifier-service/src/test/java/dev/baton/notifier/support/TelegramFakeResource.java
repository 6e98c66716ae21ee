package dev.baton.notifier.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.baton.infra.fake.NamedTransformer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * WireMock as the Telegram Bot API (and as stage-service's {@code GET /pipeline}), answering with
 * the Bot API's real bodies. Default stubs succeed; a test adds higher-priority stubs for the
 * errors it wants, matched on its own work item or message id so tests do not see each other.
 */
public class TelegramFakeResource implements QuarkusTestResourceLifecycleManager {

    public static final String TOKEN = "424242:AAH-test-SECRET-token_value";
    public static final String CHAT = "-1001000000001";
    public static final String BOT = "/bot" + TOKEN;

    private static WireMockServer server;

    @Override
    public Map<String, String> start() {
        WireMockServer wm = server();
        Map<String, String> config = new HashMap<>();
        config.put("baton.telegram.api-url", wm.baseUrl());
        config.put("baton.telegram.bot-token", TOKEN);
        config.put("baton.telegram.chat-id", CHAT);
        config.put("baton.telegram.max-attempts", "3");
        config.put("baton.telegram.backoff", "20ms");
        config.put("baton.telegram.max-backoff", "50ms");
        config.put("baton.telegram.messages-per-minute", "100000");
        config.put("baton.stage-service.url", wm.baseUrl());
        config.put("quarkus.rest-client.telegram.connect-timeout", "500");
        config.put("quarkus.rest-client.telegram.read-timeout", "1200"); // under the 1.5 s delay of the timeout test, with room for a loaded machine
        config.put("quarkus.rest-client.stage-service.connect-timeout", "500");
        config.put("quarkus.rest-client.stage-service.read-timeout", "1000");
        return config;
    }

    @Override
    public void stop() {
        // Shared by every test class of this JVM, like the PostgreSQL and Kafka of BatonTestResource.
    }

    public static synchronized WireMockServer server() {
        if (server == null) {
            server = new WireMockServer(options().dynamicPort().extensions(new SendMessageResult()));
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
            defaultStubs(server);
        }
        return server;
    }

    /** Success for every call, and the built-in pipeline at {@code GET /pipeline}. */
    public static void defaultStubs(WireMockServer wm) {
        wm.stubFor(post(urlPathEqualTo(BOT + "/sendMessage")).atPriority(10)
                .willReturn(aResponse().withTransformers(SendMessageResult.NAME)));
        wm.stubFor(post(urlPathEqualTo(BOT + "/editMessageText")).atPriority(10)
                .willReturn(okJson("""
                        {"ok":true,"result":{"message_id":1,"from":{"id":424242,"is_bot":true,"first_name":"Baton",\
                        "username":"baton_bot"},"chat":{"id":-1001000000001,"title":"Baton","type":"supergroup"},\
                        "date":1764302400,"edit_date":1764302460,"text":"edited"}}""")));
        wm.stubFor(post(urlPathEqualTo(BOT + "/deleteMessage")).atPriority(10)
                .willReturn(okJson("{\"ok\":true,\"result\":true}")));
        wm.stubFor(get(urlPathEqualTo("/pipeline")).atPriority(10).willReturn(okJson(builtInPipeline())));
    }

    public static String builtInPipeline() {
        try (InputStream in = TelegramFakeResource.class.getClassLoader().getResourceAsStream("dev/baton/pipeline.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A real sendMessage result: a fresh message_id, the chat the request named, the text. */
    static final class SendMessageResult extends NamedTransformer {

        static final String NAME = "bot-api-send-message";
        private final AtomicLong ids = new AtomicLong(100);

        SendMessageResult() {
            super(NAME);
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            try {
                JsonNode request = JSON.readTree(event.getRequest().getBodyAsString());
                long chat = request.path("chat_id").asLong();
                Map<String, Object> message = new HashMap<>();
                message.put("message_id", ids.incrementAndGet());
                message.put("from", Map.of("id", 424242, "is_bot", true, "first_name", "Baton", "username", "baton_bot"));
                message.put("chat", Map.of("id", chat, "title", "Baton", "type", "supergroup"));
                message.put("date", 1764302400);
                message.put("text", request.path("text").asText());
                return json(200, Map.of("ok", true, "result", message));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
