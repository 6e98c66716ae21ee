package dev.baton.notifier.client;

/**
 * What became of one Bot API call, after retries. Never an exception.
 *
 * @param chatId the chat the message is in (the new id after a group was upgraded)
 * @param messageId the sent message's id, for {@link Status#OK} of a send
 * @param detail Telegram's description or the (redacted) failure, for logs
 */
public record TelegramResult(Status status, String chatId, Long messageId, String detail) {

    public enum Status {
        /** Done. */
        OK,
        /** An edit that changed nothing: the message already shows this text. Counts as success. */
        NOT_MODIFIED,
        /** The message to edit or delete is gone. */
        NOT_FOUND,
        /** Not done: retries used up, a 4xx Telegram will not accept, or Telegram not configured. */
        FAILED
    }

    public boolean succeeded() {
        return status == Status.OK || status == Status.NOT_MODIFIED;
    }

    static TelegramResult failed(String chatId, String detail) {
        return new TelegramResult(Status.FAILED, chatId, null, detail);
    }
}
