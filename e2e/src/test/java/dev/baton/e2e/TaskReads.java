package dev.baton.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.infra.fake.FakeOutside;

import java.util.Optional;

/** What the end-to-end tests read off a task ({@code GET /tasks/{id}}) and off the fake Telegram chat. */
final class TaskReads {

    private TaskReads() {
    }

    /** History rows that entered {@code stage} (by {@code actor}, or anyone if null). */
    static long entered(JsonNode task, String stage, String actor) {
        long count = 0;
        for (JsonNode h : task.path("history")) {
            if (stage.equals(h.path("to").asText()) && (actor == null || actor.equals(h.path("actor").asText()))) {
                count++;
            }
        }
        return count;
    }

    /** Ledger entries of {@code effect} in {@code status}. */
    static long effects(JsonNode task, String effect, String status) {
        long count = 0;
        for (JsonNode entry : task.path("effects")) {
            if (effect.equals(entry.path("effect").asText()) && status.equals(entry.path("status").asText())) {
                count++;
            }
        }
        return count;
    }

    /** The item's tracker card as the chat shows it now (it opens with the item in bold; alerts do not). */
    static Optional<String> card(FakeOutside outside, String item) {
        return outside.messages(FakeOutside.TELEGRAM_CHAT).stream()
                .filter(text -> text.startsWith("<b>" + item + "</b>")).reduce((a, b) -> b);
    }

    static JsonNode last(JsonNode array) {
        return array.get(array.size() - 1);
    }
}
