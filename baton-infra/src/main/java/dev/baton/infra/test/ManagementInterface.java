package dev.baton.infra.test;

import org.eclipse.microprofile.config.ConfigProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a service serves health, metrics and its OpenAPI document: Quarkus' management interface, on
 * its own port (a free one in tests, {@code quarkus.management.test-port=0}), never the API's. In a
 * {@code @QuarkusTest}, Quarkus publishes the bound addresses as {@code test.url} and
 * {@code test.management.url} once the application is up.
 */
public final class ManagementInterface {

    /** What the management interface serves and the API port must not. */
    public static final List<String> PATHS = List.of("/q/health", "/q/health/ready", "/q/health/live", "/q/metrics",
            "/q/openapi", "/q/swagger-ui/");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ManagementInterface() {
    }

    /** {@code http://host:port/q}: the management root of the running test application. */
    public static URI url() {
        return URI.create(ConfigProvider.getConfig().getValue("test.management.url", String.class));
    }

    public static int port() {
        return url().getPort();
    }

    /** {@code http://host:port}: the API of the running test application. */
    public static URI apiUrl() {
        return URI.create(ConfigProvider.getConfig().getValue("test.url", String.class));
    }

    /**
     * Every {@link #PATHS management path}, asked of both ports: each must answer 200 on the management
     * port and anything but 200 on the API port. Returns what is wrong, empty when nothing is.
     */
    public static List<String> leaks(URI api, URI management) throws IOException, InterruptedException {
        List<String> wrong = new ArrayList<>();
        for (String path : PATHS) {
            int onApi = status(api, path);
            if (onApi == 200) {
                wrong.add(path + " answers 200 on the API port " + api.getPort());
            }
            int onManagement = status(management, path);
            if (onManagement != 200) {
                wrong.add(path + " answers " + onManagement + " on the management port " + management.getPort());
            }
        }
        return wrong;
    }

    /** The management port's Prometheus scrape. */
    public static String scrape(URI management) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base(management).resolve("/q/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("/q/metrics answered " + r.statusCode());
        }
        return r.body();
    }

    /**
     * The status line of a request written byte for byte on a socket, path untouched: an HTTP client
     * library would normalise {@code /webhooks/../q/metrics} before sending it.
     */
    public static int rawStatus(URI api, String method, String rawPath) throws IOException {
        try (Socket socket = new Socket(api.getHost(), api.getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + rawPath + " HTTP/1.1\r\nHost: " + api.getHost() + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 2\r\nConnection: close\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    private static int status(URI root, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(base(root).resolve(path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static URI base(URI any) {
        return URI.create(any.getScheme() + "://" + any.getHost() + ":" + any.getPort());
    }
}
