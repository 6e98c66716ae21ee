package dev.baton.infra.test;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Plain Kafka clients for tests that put a record on, or read one off, the real broker. */
public final class KafkaTestClient {

    private final String bootstrapServers;

    public KafkaTestClient(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** Sends one string record and waits for the broker's acknowledgement. */
    public void send(String topic, String key, String value) {
        send(topic, key, List.of(value));
    }

    /** Sends one string record with headers (a {@code traceparent}, say) and waits for the acknowledgement. */
    public void send(String topic, String key, String value, Map<String, String> headers) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
        headers.forEach((name, header) -> record.headers().add(name, header.getBytes(StandardCharsets.UTF_8)));
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot send to " + topic, e);
        }
    }

    /** Sends the records in order with one producer, each acknowledged before the next is sent. */
    public void send(String topic, String key, List<String> values) {
        try (KafkaProducer<String, String> producer = producer()) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot send to " + topic, e);
        }
    }

    /**
     * Reads {@code topic} from the beginning with a fresh group until {@code count} records
     * match {@code wanted} or {@code timeout} passes; returns the matching records seen.
     */
    public List<ConsumerRecord<String, String>> await(String topic, Predicate<ConsumerRecord<String, String>> wanted,
                                                      int count, Duration timeout) {
        List<ConsumerRecord<String, String>> matched = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = freshGroup()) {
            consumer.subscribe(List.of(topic));
            Instant deadline = Instant.now().plus(timeout);
            while (matched.size() < count && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (wanted.test(record)) {
                        matched.add(record);
                    }
                }
            }
        }
        return matched;
    }

    /**
     * Every record of {@code topic} with {@code key}, read from the beginning up to and including
     * the first one that matches {@code sentinel}; fails if the sentinel does not arrive within
     * {@code timeout}. One key is one partition, read in order: once the sentinel is read, every
     * record of that key published before it has been seen, with no wait for one that never comes.
     */
    public List<ConsumerRecord<String, String>> upTo(String topic, String key,
                                                     Predicate<ConsumerRecord<String, String>> sentinel,
                                                     Duration timeout) {
        List<ConsumerRecord<String, String>> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = assigned(topic)) {
            Instant deadline = Instant.now().plus(timeout);
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(record.key())) {
                        seen.add(record);
                        if (sentinel.test(record)) {
                            return seen;
                        }
                    }
                }
            }
        }
        throw new AssertionError("no sentinel on " + topic + " for key " + key + " within " + timeout + "; seen " + seen);
    }

    /**
     * Every record with {@code key} the broker acknowledged on {@code topic} before this call: sends a
     * sentinel record with that key (acks=all) and reads up to it ({@link #upTo}). Use it once the
     * producer under test has had every publish acknowledged; the sentinel is not in the answer.
     */
    public List<ConsumerRecord<String, String>> publishedBefore(String topic, String key, Duration timeout) {
        String marker = "{\"testSentinel\":\"" + UUID.randomUUID() + "\"}";
        send(topic, key, marker);
        List<ConsumerRecord<String, String>> seen = upTo(topic, key, r -> marker.equals(r.value()), timeout);
        return new ArrayList<>(seen.subList(0, seen.size() - 1));
    }

    private KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
    }

    /** The last value of header {@code name} of {@code record} as text; null when it has none. */
    public static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** A consumer of every partition of {@code topic} from its beginning, with no group to join. */
    private KafkaConsumer<String, String> assigned(String topic) {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new StringDeserializer(), new StringDeserializer());
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            return consumer;
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    /** A consumer in a group of its own, reading from the beginning. */
    private KafkaConsumer<String, String> freshGroup() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer());
    }
}
