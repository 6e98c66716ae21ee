package dev.baton.infra;

import dev.baton.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Kafka (KRaft, combined broker+controller) as a child process, for fault tests:
 * unlike the in-process {@link EmbeddedKafkaBroker}, it can be killed and started again on the same
 * port and the same log directories, as an operator's broker restart would. It runs Kafka's own
 * {@code kafka.Kafka} from this JVM's classpath (the broker comes with the test kit).
 */
public final class KafkaProcess implements AutoCloseable {

    private final Path directory;
    private final int port;
    private final Path properties;
    private final Path log;
    private Process process;

    private KafkaProcess(Path directory, int port) {
        this.directory = directory;
        this.port = port;
        this.properties = directory.resolve("server.properties");
        this.log = directory.resolve("kafka.log");
    }

    /** Formats {@code directory}'s log storage, starts the broker on a free port and creates Baton's topics. */
    public static KafkaProcess start(Path directory) throws Exception {
        Files.createDirectories(directory);
        KafkaProcess kafka = new KafkaProcess(directory, Ports.free());
        int controller = Ports.free();
        Files.writeString(kafka.properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "listeners=PLAINTEXT://127.0.0.1:" + kafka.port + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + kafka.port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + directory.resolve("logs"),
                "num.partitions=" + EmbeddedKafkaBroker.PARTITIONS,
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true") + "\n");
        Process format = new ProcessBuilder(kafka.java("kafka.tools.StorageTool", "format", "-t",
                Uuid.randomUuid().toString(), "-c", kafka.properties.toString()))
                .redirectErrorStream(true).redirectOutput(directory.resolve("format.log").toFile()).start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("cannot format Kafka's storage; see " + directory.resolve("format.log"));
        }
        kafka.launch(Duration.ofSeconds(90));
        EmbeddedKafkaBroker.createTopics(kafka.bootstrapServers(), Topics.ALL);
        return kafka;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** SIGKILL: no controlled shutdown, the log directories stay as they are. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Starts the broker again on the same port and log directories, and waits until it answers. */
    public void restart(Duration ready) throws Exception {
        kill();
        launch(ready);
    }

    private void launch(Duration ready) throws Exception {
        process = new ProcessBuilder(java("kafka.Kafka", properties.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + ready.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka exited with " + process.exitValue() + "; see " + log);
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000",
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000"))) {
                if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new IllegalStateException("Kafka at " + bootstrapServers() + " not ready within " + ready + "; see " + log,
                last);
    }

    private List<String> java(String main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xms64m");
        command.add("-Xmx384m");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main);
        command.addAll(List.of(args));
        return command;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
