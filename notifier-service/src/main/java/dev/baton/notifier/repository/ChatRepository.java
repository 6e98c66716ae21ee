package dev.baton.notifier.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/** Chats that Telegram moved: a group upgraded to a supergroup answers with {@code migrate_to_chat_id}. */
@ApplicationScoped
public class ChatRepository {

    static final String RECORD_MIGRATION = """
            INSERT INTO notifier.chat_migration (old_chat_id, new_chat_id) VALUES ($1, $2)
            ON CONFLICT (old_chat_id) DO UPDATE SET new_chat_id = EXCLUDED.new_chat_id, migrated_at = now()""";

    static final String FIND_MIGRATION = "SELECT new_chat_id FROM notifier.chat_migration WHERE old_chat_id = $1";

    private final Pool pool;

    public ChatRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> recordMigration(String oldChatId, String newChatId) {
        // A card still pointing at the old chat is resolved through this row; its old message id
        // does not exist in the new chat, so its next edit finds nothing and sends a new card.
        return pool.preparedQuery(RECORD_MIGRATION).execute(Tuple.of(oldChatId, newChatId)).replaceWithVoid();
    }

    public Uni<Optional<String>> migratedTo(String chatId) {
        return pool.preparedQuery(FIND_MIGRATION).execute(Tuple.of(chatId))
                .map(ChatRepository::first);
    }

    private static Optional<String> first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? Optional.of(it.next().getString(0)) : Optional.empty();
    }
}
