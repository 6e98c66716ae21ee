package dev.baton.notifier.sender;

import dev.baton.common.tracing.BatonSpans;
import dev.baton.common.tracing.TraceMdc;
import dev.baton.common.tracing.TraceParent;
import dev.baton.notifier.NotifierMetrics;
import dev.baton.notifier.alert.AlertService;
import dev.baton.notifier.client.TelegramClient;
import dev.baton.notifier.config.NotifierConfig;
import dev.baton.notifier.config.TelegramConfig;
import dev.baton.notifier.repository.AlertRepository;
import dev.baton.notifier.repository.CardRepository;
import dev.baton.notifier.tracker.CardSyncService;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One sender per chat, cluster-wide: the only one that talks to Telegram for that chat, so the
 * chat's budget (about 20 messages a minute in a group) holds however many replicas run.
 * <ol>
 *   <li>Every {@code baton.notifier.sender-poll}, a replica tries to lead each chat it does not
 *       lead: {@code pg_try_advisory_lock} on its own dedicated connection (never pooled).</li>
 *   <li>The lock is held for as long as that connection lives, so a replica that dies (or loses
 *       the database) frees its chats at once, and another replica takes them over at its next
 *       poll: within seconds, with no heartbeat and no lease to expire.</li>
 *   <li>The new sender starts from the durable state: the pending cards, the queued alerts, and
 *       the calls the chat's budget was spent on in the last minute.</li>
 * </ol>
 * Leading a chat is an optimisation of the budget, not the guard against a duplicate card: a card
 * changes its message only through its own CAS ({@link CardSyncService}), so even two senders
 * for a moment (a replica that has not noticed its connection is gone) make no second card.
 *
 * <p>Each card sync is a {@code baton.card.sync} span that continues the trace of the change that
 * last made the card pending (its stored traceparent), current on the sender's thread while it runs,
 * so the Telegram REST client's span is its child.
 */
@ApplicationScoped
public class ChatSenders {

    private static final Logger LOG = Logger.getLogger(ChatSenders.class);
    /** First key of the advisory lock space of chat senders ('BTN' 0x03). */
    static final int NAMESPACE = 0x42544E03;
    static final String LEAD = "SELECT pg_try_advisory_lock($1, hashtext($2)) AS led";

    private final Vertx vertx;
    private final PgConnectOptions options;
    private final TelegramClient telegram;
    private final TelegramConfig telegramConfig;
    private final NotifierConfig config;
    private final CardSyncService cardSync;
    private final CardRepository cards;
    private final AlertService alerts;
    private final AlertRepository alertQueue;
    private final NotifierMetrics metrics;
    private final Tracer tracer;

    private final Map<String, ChatSender> senders = new ConcurrentHashMap<>();
    private final Object work = new Object();
    private volatile PgConnection leadership;
    private volatile boolean connecting;
    private volatile boolean stopping;
    private long timer = -1;

    public ChatSenders(Vertx vertx, TelegramClient telegram, TelegramConfig telegramConfig, NotifierConfig config,
                       CardSyncService cardSync, CardRepository cards, AlertService alerts, AlertRepository alertQueue,
                       NotifierMetrics metrics, Tracer tracer,
                       @ConfigProperty(name = "baton.pg.url") String url,
                       @ConfigProperty(name = "baton.pg.user") String user,
                       @ConfigProperty(name = "baton.pg.password") String password) {
        this.vertx = vertx;
        this.telegram = telegram;
        this.telegramConfig = telegramConfig;
        this.config = config;
        this.cardSync = cardSync;
        this.cards = cards;
        this.alerts = alerts;
        this.alertQueue = alertQueue;
        this.metrics = metrics;
        this.tracer = tracer;
        this.options = PgConnectOptions.fromUri(url).setUser(user).setPassword(password);
        this.options.addProperty("application_name", "baton-notifier-sender");
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.senders()) {
            LOG.info("BATON_NOTIFIER_SENDERS=false: this replica consumes and sends nothing");
            return;
        }
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    /** Starts competing for the chats. */
    public synchronized void start() {
        if (timer >= 0) {
            return;
        }
        stopping = false;
        timer = vertx.setPeriodic(0, config.senderPoll().toMillis(), id -> tick());
    }

    /** Stops sending: the step in hand finishes, then the chats are free for another replica. */
    public synchronized void stop() {
        stopping = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        senders.values().forEach(ChatSender::stop);
        wake();
        for (ChatSender sender : senders.values()) {
            sender.finish(Duration.ofSeconds(5));
        }
        PgConnection connection = leadership;
        leadership = null;
        if (connection != null) {
            connection.close().await().atMost(Duration.ofSeconds(5));
        }
    }

    /** Something was queued: idle senders of this replica look for work now instead of at their next poll. */
    public void wake() {
        synchronized (work) {
            work.notifyAll();
        }
    }

    /** The chats this replica sends to now. */
    public Set<String> led() {
        return Set.copyOf(senders.keySet());
    }

    /** The team chat (cards, and alerts unless they have their own chat) and the alert chat. */
    Set<String> chats() {
        Set<String> chats = new LinkedHashSet<>();
        teamChat().ifPresent(chats::add);
        alerts.chat().ifPresent(chats::add);
        return chats;
    }

    private java.util.Optional<String> teamChat() {
        return telegram.configured() ? telegramConfig.chatId() : java.util.Optional.empty();
    }

    private void tick() {
        if (stopping) {
            return;
        }
        refreshBacklog();
        Set<String> chats = chats();
        if (chats.isEmpty() || chats.stream().allMatch(senders::containsKey)) {
            return;
        }
        PgConnection connection = leadership;
        if (connection == null) {
            connect();
            return;
        }
        for (String chat : chats) {
            if (!senders.containsKey(chat)) {
                connection.preparedQuery(LEAD).execute(Tuple.of(NAMESPACE, chat))
                        .subscribe().with(rows -> {
                            if (rows.iterator().next().getBoolean("led") && leadership == connection && !stopping) {
                                lead(chat);
                            }
                        }, failure -> LOG.debugf("cannot try to lead chat %s: %s", chat, failure.getMessage()));
            }
        }
    }

    private void connect() {
        if (connecting) {
            return;
        }
        connecting = true;
        PgConnection.connect(vertx, options).subscribe().with(connection -> {
            connecting = false;
            connection.closeHandler(() -> lost(connection));
            leadership = connection;
            if (stopping) {
                connection.close().subscribe().with(ok -> { }, failure -> { });
            }
        }, failure -> {
            connecting = false;
            LOG.warnf("cannot open the chat sender connection: %s", failure.getMessage());
        });
    }

    /** The connection is gone, and every chat lock with it: stop sending; the next poll competes again. */
    private void lost(PgConnection connection) {
        if (leadership != connection) {
            return;
        }
        leadership = null;
        if (!stopping && !senders.isEmpty()) {
            LOG.warnf("chat sender connection lost: no longer sending to %s", senders.keySet());
        }
        senders.values().forEach(ChatSender::stop);
        wake();
    }

    private void lead(String chat) {
        boolean cardsToo = teamChat().filter(chat::equals).isPresent();
        ChatSender sender = new ChatSender(chat, cardsToo);
        if (senders.putIfAbsent(chat, sender) == null) {
            LOG.infof("sending to chat %s%s", chat, cardsToo ? " (cards and alerts)" : " (alerts)");
            sender.start();
        }
    }

    private void refreshBacklog() {
        Uni.combine().all().unis(cards.backlog(), alertQueue.backlog()).asTuple().subscribe().with(both -> {
            var oldest = both.getItem1().oldest();
            var alertOldest = both.getItem2().oldest();
            if (oldest == null || (alertOldest != null && alertOldest.isBefore(oldest))) {
                oldest = alertOldest;
            }
            metrics.backlog(both.getItem1().cards(), both.getItem2().alerts(), oldest);
        }, failure -> LOG.debugf("cannot measure the backlog: %s", failure.getMessage()));
    }

    /** The loop of one chat's sender, on its own thread (every step blocks: Telegram, the budget). */
    private final class ChatSender {

        private static final Duration DB = Duration.ofSeconds(10);

        private final String chat;
        private final boolean cardsToo;
        private final Thread thread;
        private volatile boolean running = true;

        ChatSender(String chat, boolean cardsToo) {
            this.chat = chat;
            this.cardsToo = cardsToo;
            this.thread = new Thread(this::run, "chat-sender-" + chat);
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        /**
         * Stops after the step in hand: a call that reached Telegram is recorded before the loop
         * ends (interrupting it could leave a sent card unrecorded, and sent again by the next sender),
         * and no call the step has not written down yet is made (the chat's next sender would not
         * count it against the budget).
         */
        void stop() {
            running = false;
            telegram.yieldChat(chat);
        }

        /** At shutdown: lets the step in hand finish for {@code wait}, then interrupts a wait for the budget. */
        void finish(Duration wait) {
            try {
                thread.join(wait.toMillis());
                if (thread.isAlive()) {
                    thread.interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void run() {
            try {
                while (running && !telegram.adoptBudget(chat)) {
                    idle();
                }
                while (running) {
                    try {
                        telegram.awaitTurn(chat);
                        if (running && !sendAlert() && !(cardsToo && syncCard())) {
                            idle();
                        }
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        // The database or Telegram failed in a way the client did not absorb: pause, go on.
                        LOG.warnf("chat %s: %s", chat, e.getMessage());
                        idle();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                senders.remove(chat, this);
            }
        }

        /** Alerts first, oldest first. @return true when there was one */
        private boolean sendAlert() {
            var next = alertQueue.next(chat).await().atMost(DB);
            next.ifPresent(alert -> traced("baton.alert.send", alert.workItem(), alert.traceParent(),
                    () -> alerts.deliver(alert), sent -> sent ? "sent" : "failed"));
            return next.isPresent();
        }

        /**
         * The card that has waited longest, brought up to date in ONE send or edit of the whole card
         * (however many events arrived for it meanwhile). @return true when there was work that moved
         */
        private boolean syncCard() throws InterruptedException {
            var next = cards.nextPending().await().atMost(DB);
            if (next.isEmpty()) {
                return false;
            }
            CardSyncService.Outcome outcome = traced("baton.card.sync", next.get().workItem(), next.get().traceParent(),
                    () -> cardSync.sync(next.get().workItem()), synced -> synced.name().toLowerCase());
            switch (outcome) {
                case SYNCED, UNCHANGED, SKIPPED -> cards.clearPending(next.get()).await().atMost(DB);
                case FAILED -> cards.deferPending(next.get().workItem()).await().atMost(DB);
                case BUSY -> {
                    // A replica that died while it held this card's claim: wait for the claim to expire.
                    cards.deferPending(next.get().workItem()).await().atMost(DB);
                    return false;
                }
            }
            return true;
        }

        /**
         * {@code work} (a card's sync, an alert's send) in span {@code name} of the trace that queued it
         * ({@code traceParent}); its work item and trace on every line logged meanwhile.
         */
        private <T> T traced(String name, String workItem, String traceParent, Supplier<T> work,
                             Function<T, String> outcome) {
            Span span = tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL)
                    .setParent(TraceParent.parent(traceParent))
                    .setAttribute(BatonSpans.WORK_ITEM, workItem).startSpan();
            MDC.put("workItem", workItem);
            try (Scope ignored = span.makeCurrent()) {
                TraceMdc.put(io.opentelemetry.context.Context.current());
                T done = work.get();
                span.setAttribute(BatonSpans.OUTCOME, outcome.apply(done));
                return done;
            } catch (RuntimeException e) {
                span.recordException(e);
                span.setStatus(StatusCode.ERROR);
                throw e;
            } finally {
                span.end();
                MDC.remove("workItem");
                TraceMdc.clear();
            }
        }

        private void idle() throws InterruptedException {
            synchronized (work) {
                if (running) {
                    work.wait(config.senderPoll().toMillis());
                }
            }
        }
    }
}
