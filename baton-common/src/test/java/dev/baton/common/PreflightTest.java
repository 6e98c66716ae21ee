package dev.baton.common;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreflightTest {

    @Test
    void aMissingRequiredSettingIsNamedInOneLine() {
        List<String> problems = new Preflight(Map.of())
                .required("BATON_TELEGRAM_CHAT_ID", "a chat id", v -> true).problems();
        assertEquals(List.of("BATON_TELEGRAM_CHAT_ID is missing: expected a chat id"), problems);
    }

    @Test
    void malformedSettingsAreNamedWithWhatWasExpected() {
        List<String> problems = new Preflight(Map.of(
                "BATON_PG_URL", "localhost:5432",
                "KAFKA_BOOTSTRAP_SERVERS", "localhost",
                "QUARKUS_HTTP_PORT", "eighty",
                "BATON_TRANSITION_LEASE_ENABLED", "ture",
                "BATON_GITEA_URL", "gitea.local"))
                .optional("BATON_PG_URL", "postgresql://host:port/database", Preflight::isPostgresUrl)
                .optional("KAFKA_BOOTSTRAP_SERVERS", "host:port", Preflight::isBootstrapList)
                .optional("QUARKUS_HTTP_PORT", "a port", Preflight::isPort)
                .optional("BATON_TRANSITION_LEASE_ENABLED", "true or false", Preflight::isBoolean)
                .optional("BATON_GITEA_URL", "an http(s) URL", Preflight::isHttpUrl)
                .problems();
        assertEquals(5, problems.size(), problems.toString());
        assertTrue(problems.stream().allMatch(p -> p.contains(" is malformed: expected ")), problems.toString());
        assertTrue(problems.get(0).startsWith("BATON_PG_URL"), problems.toString());
    }

    @Test
    void goodSettingsPass() {
        List<String> problems = new Preflight(Map.of(
                "BATON_PG_URL", "postgresql://db:5432/baton",
                "KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092",
                "BATON_TRANSITION_LEASE_ENABLED", "FALSE",
                "BATON_GITEA_URL", "https://gitea.example.com"))
                .optional("BATON_PG_URL", "url", Preflight::isPostgresUrl)
                .optional("KAFKA_BOOTSTRAP_SERVERS", "list", Preflight::isBootstrapList)
                .optional("BATON_TRANSITION_LEASE_ENABLED", "boolean", Preflight::isBoolean)
                .optional("BATON_GITEA_URL", "url", Preflight::isHttpUrl)
                .problems();
        assertEquals(List.of(), problems);
    }

    @Test
    void aPortInUseIsNamed() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("0.0.0.0", 0));
            List<String> problems = new Preflight(Map.of()).portFree("QUARKUS_HTTP_PORT", taken.getLocalPort())
                    .problems();
            assertEquals(List.of("QUARKUS_HTTP_PORT=" + taken.getLocalPort() + " is already in use by another process"),
                    problems);
        }
    }
}
