package dev.baton.notifier.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A Bot API response body: {@code {"ok":true,"result":...}} or
 * {@code {"ok":false,"error_code":...,"description":...,"parameters":{...}}}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record TelegramReply(@JsonProperty("ok") boolean ok,
                     @JsonProperty("result") JsonNode result,
                     @JsonProperty("error_code") Integer errorCode,
                     @JsonProperty("description") String description,
                     @JsonProperty("parameters") Parameters parameters) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Parameters(@JsonProperty("migrate_to_chat_id") Long migrateToChatId,
                      @JsonProperty("retry_after") Integer retryAfter) {
    }

    String describe() {
        return description == null ? "" : description;
    }

    boolean says(String phrase) {
        return describe().toLowerCase(java.util.Locale.ROOT).contains(phrase);
    }
}
