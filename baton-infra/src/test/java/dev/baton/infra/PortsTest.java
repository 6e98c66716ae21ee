package dev.baton.infra;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortsTest {

    @Test
    void portsComeFromBelowTheEphemeralRangeOnceEachAndFree() throws IOException {
        int ephemeralLow = Ports.ephemeralLow();
        Set<Integer> chosen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = Ports.free();
            assertTrue(port >= 1024 && port < ephemeralLow,
                    port + " is where an outgoing connection's local port can land (ephemeral from " + ephemeralLow + ")");
            chosen.add(port);
        }
        assertEquals(200, chosen.size(), "a port handed out twice");
        // And each one can really be listened on (what the started service does next).
        for (int port : chosen.stream().limit(20).toList()) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
        }
    }

    @Test
    void aPortSomeoneListensOnIsNeverHandedOut() throws IOException {
        // Occupy a stretch of the range; none of the next picks may be one of them.
        Set<Integer> taken = new HashSet<>();
        java.util.List<ServerSocket> sockets = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                ServerSocket socket = new ServerSocket();
                int port = Ports.ephemeralLow() - 1 - i;
                try {
                    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                    sockets.add(socket);
                    taken.add(port);
                } catch (IOException alreadyInUse) {
                    socket.close();
                }
            }
            for (int i = 0; i < 500; i++) {
                int port = Ports.free();
                assertTrue(!taken.contains(port), port + " is listened on, yet handed out");
            }
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }
}
