package dev.baton.events;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How long the broker keeps each topic's records ({@code retention.ms}), as the broker itself says:
 * a consumer's dedupe row may only go once no redelivery of its event is possible, so a retention
 * window is never shorter than this. Blocking (one admin round trip, bounded by {@code timeout}):
 * call it from a worker thread.
 */
public final class TopicRetention {

    private TopicRetention() {
    }

    /**
     * Each topic's retention; empty for a topic that keeps records forever ({@code retention.ms=-1}) or
     * that the broker does not know, since nothing may then be pruned. Throws when the broker does not
     * answer within {@code timeout}.
     */
    public static Map<String, Optional<Duration>> of(String bootstrapServers, Collection<String> topics, Duration timeout)
            throws InterruptedException, TimeoutException {
        Map<String, Object> config = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(config)) {
            List<ConfigResource> resources = topics.stream()
                    .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
            Map<ConfigResource, KafkaFuture<Config>> described = admin.describeConfigs(resources).values();
            Map<String, Optional<Duration>> retention = new LinkedHashMap<>();
            for (ConfigResource resource : resources) {
                Optional<Duration> kept = Optional.empty();
                try {
                    ConfigEntry entry = described.get(resource).get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                            .get(TopicConfig.RETENTION_MS_CONFIG);
                    long ms = entry == null ? -1 : Long.parseLong(entry.value());
                    kept = ms < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(ms));
                } catch (ExecutionException unknownTopic) {
                    // Kept forever: a topic the broker cannot describe gives no bound on redelivery.
                }
                retention.put(resource.name(), kept);
            }
            return retention;
        }
    }

    /**
     * The window a dedupe or history row is kept for: the configured one, or the longest retention of
     * the topics its events come from when that is longer; empty (keep forever) when one of them keeps
     * records forever.
     */
    public static Optional<Duration> window(Duration configured, Collection<Optional<Duration>> topicRetentions) {
        Duration window = configured;
        for (Optional<Duration> retention : topicRetentions) {
            if (retention.isEmpty()) {
                return Optional.empty();
            }
            if (retention.get().compareTo(window) > 0) {
                window = retention.get();
            }
        }
        return Optional.of(window);
    }
}
