package dev.baton.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What a Kubernetes Service is to stage-service's replicas, on the loopback interface: each new TCP
 * connection goes to the next replica in turn, skipping one that refuses the connection (a replica
 * killed and not yet back). A connection to a replica that dies breaks, as it would behind
 * kube-proxy; the callers' own retries are what is tested.
 */
public final class Balancer implements AutoCloseable {

    private final ServerSocket server;
    private final Supplier<List<Integer>> backends;
    private final AtomicInteger next = new AtomicInteger();
    private final ExecutorService pipes = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "balancer");
        thread.setDaemon(true);
        return thread;
    });

    private Balancer(ServerSocket server, Supplier<List<Integer>> backends) {
        this.server = server;
        this.backends = backends;
    }

    /** Listens on a free loopback port; {@code backends} is asked for the replicas' ports at each connection. */
    public static Balancer start(Supplier<List<Integer>> backends) throws IOException {
        ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Balancer balancer = new Balancer(server, backends);
        balancer.pipes.execute(balancer::accept);
        return balancer;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                pipes.execute(() -> connect(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void connect(Socket client) {
        List<Integer> ports = backends.get();
        for (int tried = 0; tried < ports.size(); tried++) {
            int port = ports.get(Math.floorMod(next.getAndIncrement(), ports.size()));
            Socket backend = new Socket();
            try {
                backend.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            } catch (IOException refused) {
                close(backend);
                continue;
            }
            pipes.execute(() -> pipe(client, backend));
            pipe(backend, client);
            return;
        }
        close(client);
    }

    private static void pipe(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException broken) {
            // One side went away: the other is closed below, as a proxy would.
        } finally {
            close(from);
            close(to);
        }
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already gone.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        pipes.shutdownNow();
    }
}
