package dev.baton.notifier.support;

import dev.baton.notifier.NotifierMetrics;
import dev.baton.notifier.alert.AlertService;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.notifier.client.Sleeper;
import dev.baton.notifier.client.TelegramClient;
import dev.baton.notifier.client.TelegramRestClient;
import dev.baton.notifier.repository.ChatRepository;
import dev.baton.notifier.repository.ChatSendRepository;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import dev.baton.notifier.config.NotifierConfig;
import dev.baton.notifier.config.TelegramConfig;
import dev.baton.notifier.config.TrackerConfig;
import dev.baton.notifier.pipeline.PipelineCatalog;
import dev.baton.notifier.repository.AlertRepository;
import dev.baton.notifier.repository.AgentRunRepository;
import dev.baton.notifier.repository.CardRepository;
import dev.baton.notifier.sender.ChatSenders;
import dev.baton.notifier.tracker.CardSyncService;
import io.opentelemetry.api.trace.Tracer;
import io.vertx.mutiny.core.Vertx;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;

/**
 * A second notifier replica's parts, built from the application's beans: it shares only what two
 * replicas share (the database, the broker, the Bot API), and holds its own claims, chat locks and
 * Bot API client (so its own in-memory view of each chat's budget).
 */
@Singleton
public class Replicas {

    private final Vertx vertx;
    private final CardRepository cards;
    private final AgentRunRepository runs;
    private final PipelineCatalog pipelines;
    private final TelegramClient telegram;
    private final TelegramConfig telegramConfig;
    private final TrackerConfig trackerConfig;
    private final NotifierConfig notifierConfig;
    private final AlertService alerts;
    private final AlertRepository alertQueue;
    private final NotifierMetrics metrics;
    private final Clock clock;
    private final Tracer tracer;
    private final String url;
    private final String user;
    private final String password;

    public Replicas(Vertx vertx, CardRepository cards, AgentRunRepository runs, PipelineCatalog pipelines,
                    @RestClient TelegramRestClient api, ChatRepository chats, ChatSendRepository sends, ObjectMapper json,
                    Sleeper sleeper, TelegramConfig telegramConfig, TrackerConfig trackerConfig,
                    NotifierConfig notifierConfig, AlertRepository alertQueue,
                    NotifierMetrics metrics, Clock clock, Tracer tracer,
                    @ConfigProperty(name = "baton.pg.url") String url,
                    @ConfigProperty(name = "baton.pg.user") String user,
                    @ConfigProperty(name = "baton.pg.password") String password,
                    @ConfigProperty(name = "quarkus.rest-client.telegram.connect-timeout") long connectTimeoutMs,
                    @ConfigProperty(name = "quarkus.rest-client.telegram.read-timeout") long readTimeoutMs) {
        this.vertx = vertx;
        this.cards = cards;
        this.runs = runs;
        this.pipelines = pipelines;
        this.telegram = new TelegramClient(api, telegramConfig, chats, sends, metrics, json, clock, sleeper,
                connectTimeoutMs, readTimeoutMs);
        this.telegramConfig = telegramConfig;
        this.trackerConfig = trackerConfig;
        this.notifierConfig = notifierConfig;
        this.alerts = new AlertService(telegram, telegramConfig, notifierConfig, alertQueue, metrics, clock);
        this.alertQueue = alertQueue;
        this.metrics = metrics;
        this.clock = clock;
        this.tracer = tracer;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** Another replica's card sync: its own claims, the same card rows. */
    public CardSyncService cardSync() {
        return new CardSyncService(cards, runs, pipelines, telegram, telegramConfig, trackerConfig, notifierConfig, clock);
    }

    /** Another replica's chat senders: its own sender connection, so its own chat locks. Not started. */
    public ChatSenders chatSenders() {
        return new ChatSenders(vertx, telegram, telegramConfig, notifierConfig, cardSync(), cards, alerts, alertQueue,
                metrics, tracer, url, user, password);
    }
}
