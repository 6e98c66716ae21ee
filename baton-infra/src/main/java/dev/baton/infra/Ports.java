package dev.baton.infra;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the servers a test or {@code ./baton} starts as processes, chosen before the process
 * binds them. A port the OS hands out for {@code bind(0)} comes from the ephemeral range, the same
 * range every outgoing connection takes its local port from: between the choice and the child's
 * bind, a connection of an already started service (to PostgreSQL, to Kafka) can take it, and the
 * child fails to start ({@code HotfixPipelineIT} saw an agent-runner exit with 1 that way). So the
 * ports come from BELOW the ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range}), where
 * no outgoing connection ever lands, each one only once per JVM (two services chosen one after the
 * other never get the same port), and each one free on loopback when chosen.
 */
public final class Ports {

    /** Linux's default ephemeral range starts here. */
    static final int DEFAULT_EPHEMERAL_LOW = 32768;
    /** How many ports below the ephemeral range are drawn from. */
    static final int SPAN = 12_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    /** Read once: the range does not change while a test runs. */
    private static final int EPHEMERAL_LOW = readEphemeralLow();

    private Ports() {
    }

    /** A loopback port no one listens on now, outside the ephemeral range, not handed out before by this JVM. */
    public static int free() {
        int high = ephemeralLow() - 1;
        int low = Math.max(1024, high - SPAN);
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(low, high + 1);
            if (HANDED_OUT.add(port) && bindable(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port between " + low + " and " + high + " after 1000 tries");
    }

    static int ephemeralLow() {
        return EPHEMERAL_LOW;
    }

    private static int readEphemeralLow() {
        try {
            // Read as a stream: a /proc file's reported size is not its length (Files.readString can stop short).
            try (var reader = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
                return Integer.parseInt(reader.readLine().trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException notLinux) {
            return DEFAULT_EPHEMERAL_LOW;
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}
