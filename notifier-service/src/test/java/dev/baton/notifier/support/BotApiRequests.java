package dev.baton.notifier.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/** What the fake Bot API ({@link TelegramFakeResource}) was asked, for assertions. */
public final class BotApiRequests {

    public static final String SEND = TelegramFakeResource.BOT + "/sendMessage";
    public static final String EDIT = TelegramFakeResource.BOT + "/editMessageText";
    public static final String DELETE = TelegramFakeResource.BOT + "/deleteMessage";

    private static final ObjectMapper JSON = new ObjectMapper();

    private BotApiRequests() {
    }

    /** Every sendMessage whose text contains {@code text} (a work item, or a work item and the {@code <} after it). */
    public static List<LoggedRequest> sends(String text) {
        return TelegramFakeResource.server().findAll(postRequestedFor(urlPathEqualTo(SEND))
                .withRequestBody(matchingJsonPath("$.text", containing(text))));
    }

    public static List<LoggedRequest> edits(long messageId) {
        return calls(EDIT, messageId);
    }

    public static List<LoggedRequest> deletes(long messageId) {
        return calls(DELETE, messageId);
    }

    /** Every call to {@code path} (one of the constants above) naming {@code messageId}. */
    public static List<LoggedRequest> calls(String path, long messageId) {
        return TelegramFakeResource.server().findAll(postRequestedFor(urlPathEqualTo(path))
                .withRequestBody(matchingJsonPath("$.message_id", equalTo(Long.toString(messageId)))));
    }

    /** Every text the work item's card had at the Bot API, in order: its sends, then the edits of its stored message. */
    public static List<String> cardTexts(String workItem) {
        List<String> texts = new ArrayList<>();
        sends(workItem).forEach(r -> texts.add(text(r)));
        Long message = Db.messageId(workItem);
        if (message != null) {
            edits(message).forEach(r -> texts.add(text(r)));
        }
        return texts;
    }

    /** The text the card showed last, or null before its first send. */
    public static String lastCardText(String workItem) {
        List<String> texts = cardTexts(workItem);
        return texts.isEmpty() ? null : texts.get(texts.size() - 1);
    }

    /** The {@code text} field of a send or edit, unescaped from JSON. */
    public static String text(LoggedRequest request) {
        return field(request.getBodyAsString(), "text");
    }

    /** A top-level field of a request body as text ("" when absent): {@code text}, {@code message_id}, {@code chat_id}. */
    public static String field(String body, String name) {
        try {
            return JSON.readTree(body).path(name).asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
