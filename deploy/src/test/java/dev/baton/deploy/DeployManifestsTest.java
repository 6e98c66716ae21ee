package dev.baton.deploy;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Renders both overlays (dev, prod) and checks every manifest against the services' own sources:
 * what the manifests set must be what the services read, serve and publish. A service, topic or
 * setting changed on one side only fails here, not in a cluster.
 */
class DeployManifestsTest {

    /** The repository root: Surefire runs in the module directory, deploy/. */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    /** Replicas per service in each overlay. */
    static final Map<String, Integer> OVERLAYS = Map.of("dev", 1, "prod", 2);

    /** Every check, by name; ManifestChecksCanFailTest breaks each one. */
    static final Map<String, Function<ManifestChecks.Overlay, List<String>>> CHECKS = Map.ofEntries(
            Map.entry("everyServiceIsDeployed", ManifestChecks::everyServiceIsDeployed),
            Map.entry("portsAndProbesMatchTheService", ManifestChecks::portsAndProbesMatchTheService),
            Map.entry("everyEnvVarIsReadByTheService", ManifestChecks::everyEnvVarIsReadByTheService),
            Map.entry("everyTopicHasAKafkaTopic", ManifestChecks::everyTopicHasAKafkaTopic),
            Map.entry("imagesAndLabelsAreConsistent", ManifestChecks::imagesAndLabelsAreConsistent),
            Map.entry("containersRunAsNonRoot", ManifestChecks::containersRunAsNonRoot),
            Map.entry("replicasAndDisruptionBudgets", ManifestChecks::replicasAndDisruptionBudgets),
            Map.entry("secretsOnlyByReference", ManifestChecks::secretsOnlyByReference),
            Map.entry("networkPoliciesExposeOnlyTheGateway", ManifestChecks::networkPoliciesExposeOnlyTheGateway),
            Map.entry("managementPortOnlyForMonitoring", ManifestChecks::managementPortOnlyForMonitoring),
            Map.entry("dashboardsAndRulesNameExportedMetrics", ManifestChecks::dashboardsAndRulesNameExportedMetrics),
            Map.entry("ingressOnlyForTheGateway", ManifestChecks::ingressOnlyForTheGateway),
            Map.entry("resourcesMatchMeasuredRss", ManifestChecks::resourcesMatchMeasuredRss),
            Map.entry("shutdownFitsTheGracePeriod", ManifestChecks::shutdownFitsTheGracePeriod),
            Map.entry("datastoreAddressesMatchTheOperators", ManifestChecks::datastoreAddressesMatchTheOperators));

    private static final Map<String, ManifestChecks.Overlay> RENDERED = new java.util.concurrent.ConcurrentHashMap<>();

    /** A fresh rendering (ManifestChecksCanFailTest breaks its own copy). */
    static ManifestChecks.Overlay render(String overlay) {
        return new ManifestChecks.Overlay(overlay, OVERLAYS.get(overlay),
                Kustomize.render(ROOT.resolve("deploy/k8s/overlays").resolve(overlay)),
                ServiceSource.all(ROOT), ROOT);
    }

    @TestFactory
    Stream<DynamicTest> everyCheckPassesOnBothOverlays() {
        return OVERLAYS.keySet().stream().sorted().flatMap(overlay -> CHECKS.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(check -> DynamicTest.dynamicTest(overlay + ": " + check.getKey(), () -> {
                    // The checks only read: one rendering per overlay serves them all.
                    List<String> problems = check.getValue().apply(RENDERED.computeIfAbsent(overlay, DeployManifestsTest::render));
                    assertEquals(List.of(), problems, overlay + ": " + check.getKey());
                })));
    }

    @Test
    void theServiceModulesAreFoundAndReadEnvironmentVariables() {
        List<ServiceSource> services = ServiceSource.all(ROOT);
        assertEquals(List.of("stage-service", "webhook-gateway", "reaper-service", "notifier-service", "agent-runner"),
                services.stream().map(ServiceSource::name).toList());
        ServiceSource stage = services.get(0);
        // From application.properties, a @ConfigMapping accessor, the Preflight and the Dockerfile.
        assertTrue(stage.reads("BATON_PG_URL") && stage.reads("BATON_LIVENESS_KEEPALIVES_IDLE_SECONDS")
                && stage.reads("BATON_TRANSITION_LEASE_REPOS") && stage.reads("JAVA_OPTS"), stage.readableEnv()::toString);
        assertTrue(!stage.reads("BATON_TELEGRAM_BOT_TOKEN") && !stage.reads("BATON_PG_URI"), stage.readableEnv()::toString);
        // Read by baton-common (TracingConfigSource) in every service: a ConfigMap may turn tracing on.
        assertTrue(services.stream().allMatch(s -> s.reads("BATON_OTEL_ENDPOINT")));
    }

    @Test
    void overlaysRenderTheirOwnDifferences() {
        ManifestChecks.Overlay dev = render("dev");
        ManifestChecks.Overlay prod = render("prod");
        assertTrue(dev.resources().stream().allMatch(r -> "baton-dev".equals(r.metadata().get("namespace"))));
        assertTrue(prod.resources().stream().allMatch(r -> "baton".equals(r.metadata().get("namespace"))));
        assertEquals(List.of(1, 1), List.of(spec(dev, "Cluster").get("instances"), spec(dev, "KafkaNodePool").get("replicas")));
        assertEquals(List.of(2, 3), List.of(spec(prod, "Cluster").get("instances"), spec(prod, "KafkaNodePool").get("replicas")));
        // Maps of a custom resource merge: dev lowers min.insync.replicas and keeps the base's listener.
        Map<?, ?> devKafka = (Map<?, ?>) spec(dev, "Kafka").get("kafka");
        assertEquals(1, ((Map<?, ?>) devKafka.get("config")).get("min.insync.replicas"));
        assertEquals(1, ((List<?>) devKafka.get("listeners")).size());
    }

    private static Map<?, ?> spec(ManifestChecks.Overlay o, String kind) {
        List<Kustomize.Resource> found = o.raw(kind);
        assertEquals(1, found.size(), o.name() + ": " + kind);
        return (Map<?, ?>) found.get(0).doc().get("spec");
    }
}
