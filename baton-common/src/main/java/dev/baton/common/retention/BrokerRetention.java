package dev.baton.common.retention;

import dev.baton.events.TopicRetention;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * The service's broker, asked how long it keeps each topic's records ({@link TopicRetention}): a
 * retention job's window is never shorter. Blocking: call it from a worker thread.
 */
@ApplicationScoped
public class BrokerRetention {

    private final String bootstrapServers;

    public BrokerRetention(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** Each topic's retention; empty = forever (or unknown). Throws when the broker does not answer in time. */
    public Map<String, Optional<Duration>> of(Collection<String> topics, Duration timeout)
            throws InterruptedException, TimeoutException {
        return TopicRetention.of(bootstrapServers, topics, timeout);
    }
}
