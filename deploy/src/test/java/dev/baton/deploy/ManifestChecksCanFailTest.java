package dev.baton.deploy;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each check of {@link ManifestChecks} against a rendered overlay broken in the one way that check
 * exists for: a check that cannot fail would pass every drift silently.
 */
class ManifestChecksCanFailTest {

    @Test
    void aMissingDisruptionBudgetIsNoticed() {
        assertBreaks("everyServiceIsDeployed", "reaper-service: no PodDisruptionBudget", "dev",
                o -> o.resources().removeIf(r -> r.kind().equals("PodDisruptionBudget") && r.name().equals("reaper-service")));
    }

    @Test
    void aProbeOnAPathTheServiceDoesNotServeIsNoticed() {
        assertBreaks("portsAndProbesMatchTheService", "ready probe on /q/health/readiness", "dev",
                o -> at(o, "Deployment", "stage-service", "spec.template.spec.containers.0.readinessProbe.httpGet").put("path", "/q/health/readiness"));
    }

    @Test
    void aContainerPortOtherThanTheServicePortIsNoticed() {
        assertBreaks("portsAndProbesMatchTheService", "no containerPort 8083", "prod",
                o -> at(o, "Deployment", "notifier-service", "spec.template.spec.containers.0.ports.0").put("containerPort", 9090));
    }

    @Test
    void aMisspelledVariableIsNoticed() {
        assertBreaks("everyEnvVarIsReadByTheService", "sets BATON_PG_URI, which stage-service never reads", "dev",
                o -> at(o, "ConfigMap", "stage-service-config", "data").put("BATON_PG_URI", "postgresql://x:5432/baton"));
    }

    @Test
    void anotherServicesVariableIsNoticed() {
        assertBreaks("everyEnvVarIsReadByTheService", "sets BATON_TELEGRAM_CHAT_ID, which reaper-service never reads", "prod",
                o -> at(o, "ConfigMap", "reaper-service-config", "data").put("BATON_TELEGRAM_CHAT_ID", "-100"));
    }

    @Test
    void aTopicWithoutKafkaTopicIsNoticed() {
        assertBreaks("everyTopicHasAKafkaTopic", "Topics.ALL has baton.inbound.dlq but no KafkaTopic creates it", "dev",
                o -> o.resources().removeIf(r -> r.kind().equals("KafkaTopic") && r.name().equals("baton-inbound-dlq")));
    }

    @Test
    void anImageAtAnotherTagIsNoticed() {
        assertBreaks("imagesAndLabelsAreConsistent", "images must all carry one explicit tag", "prod",
                o -> at(o, "Deployment", "notifier-service", "spec.template.spec.containers.0").put("image", "registry.example.com/baton/notifier-service:0.0.9"));
    }

    @Test
    void aServiceSelectingOtherPodsIsNoticed() {
        assertBreaks("imagesAndLabelsAreConsistent", "Service reaper-service: selector", "dev",
                o -> at(o, "Service", "reaper-service", "spec.selector").put("app.kubernetes.io/name", "stage-service"));
    }

    @Test
    void aPodAllowedToRunAsRootIsNoticed() {
        assertBreaks("containersRunAsNonRoot", "Deployment reaper-service: pod must set runAsNonRoot", "prod",
                o -> at(o, "Deployment", "reaper-service", "spec.template.spec.securityContext").remove("runAsNonRoot"));
    }

    @Test
    void oneReplicaInProdIsNoticed() {
        assertBreaks("replicasAndDisruptionBudgets", "Deployment stage-service: 1 replicas, prod runs 2", "prod",
                o -> at(o, "Deployment", "stage-service", "spec").put("replicas", 1));
    }

    @Test
    void aSecretWithDataIsNoticed() {
        assertBreaks("secretsOnlyByReference", "Secret baton-secrets: secrets are created by the operator", "dev",
                o -> o.resources().add(new Kustomize.Resource(o.root(), new LinkedHashMap<>(Map.of("apiVersion", "v1", "kind", "Secret",
                        "metadata", new LinkedHashMap<>(Map.of("name", "baton-secrets")), "stringData", Map.of("admin-token", "x"))))));
    }

    @Test
    void aTokenInAConfigMapIsNoticed() {
        assertBreaks("secretsOnlyByReference", "BATON_ADMIN_TOKEN is a credential", "dev",
                o -> at(o, "ConfigMap", "stage-service-config", "data").put("BATON_ADMIN_TOKEN", "s3cret"));
    }

    @Test
    void anInternalServiceOpenToEveryoneIsNoticed() {
        assertBreaks("networkPoliciesExposeOnlyTheGateway", "admits everyone to stage-service", "prod",
                o -> at(o, "NetworkPolicy", "stage-service-from-clients", "spec.ingress.0").remove("from"));
    }

    @Test
    void aProbeOnTheApiPortIsNoticed() {
        assertBreaks("portsAndProbesMatchTheService", "reaper-service: live probe port AnyType(value=http) is not the management port 9000", "prod",
                o -> at(o, "Deployment", "reaper-service", "spec.template.spec.containers.0.livenessProbe.httpGet").put("port", "http"));
    }

    @Test
    void theManagementPortOpenToTheNamespaceIsNoticed() {
        assertBreaks("managementPortOnlyForMonitoring", "admits more than the monitoring namespace to the management port 9000 of stage-service", "dev",
                o -> list(at(o, "NetworkPolicy", "stage-service-from-clients", "spec.ingress.0"), "ports").add(
                        Map.of("protocol", "TCP", "port", 9000)));
    }

    @Test
    void aManagementPortNobodyMayScrapeIsNoticed() {
        assertBreaks("managementPortOnlyForMonitoring", "no NetworkPolicy admits the monitoring namespace to the management port 9000", "prod",
                o -> o.resources().removeIf(r -> r.kind().equals("NetworkPolicy") && r.name().equals("baton-services-from-monitoring")));
    }

    @Test
    void anAlertOnAMetricNobodyExportsIsNoticed() {
        assertBreaks("dashboardsAndRulesNameExportedMetrics", "names baton_leases_stale, which the metrics table", "prod",
                o -> at(o, "PrometheusRule", "baton", "spec.groups.0.rules.0").put("expr", "max(baton_leases_stale) > 0"));
    }

    @Test
    void aDashboardPanelOnAMetricNobodyExportsIsNoticed() {
        assertBreaks("dashboardsAndRulesNameExportedMetrics", "names baton_transition_total, which the metrics table", "dev",
                o -> at(o, "ConfigMap", "baton-grafana-dashboard", "data").computeIfPresent("baton.json",
                        (k, v) -> String.valueOf(v).replace("baton_transitions_total", "baton_transition_total")));
    }

    @Test
    void theGatewayReachingPostgresIsNoticed() {
        assertBreaks("networkPoliciesExposeOnlyTheGateway", "webhook-gateway reaches PostgreSQL but does not use it", "dev",
                o -> list(at(o, "NetworkPolicy", "baton-pg-clients", "spec.ingress.0"), "from").add(
                        Map.of("podSelector", Map.of("matchLabels", Map.of("app.kubernetes.io/name", "webhook-gateway")))));
    }

    @Test
    void anIngressForAnotherServiceIsNoticed() {
        assertBreaks("ingressOnlyForTheGateway", "only webhook-gateway is public", "prod",
                o -> at(o, "Ingress", "webhook-gateway", "spec.rules.0.http.paths.0.backend.service").put("name", "stage-service"));
    }

    @Test
    void anIngressForTheManagementPathsIsNoticed() {
        assertBreaks("ingressOnlyForTheGateway", "not one of the gateway's resource paths", "dev",
                o -> at(o, "Ingress", "webhook-gateway", "spec.rules.0.http.paths.0").put("path", "/q"));
    }

    @Test
    void aMemoryRequestBelowTheMeasuredPeakIsNoticed() {
        assertBreaks("resourcesMatchMeasuredRss", "memory request 128Mi is below the measured peak", "dev",
                o -> at(o, "Deployment", "stage-service", "spec.template.spec.containers.0.resources.requests").put("memory", "128Mi"));
    }

    @Test
    void aPoolerInFrontOfTheLivenessConnectionIsNoticed() {
        assertBreaks("datastoreAddressesMatchTheOperators", "goes through a pooler", "prod",
                o -> at(o, "ConfigMap", "stage-service-config", "data").put("BATON_PG_URL", "postgresql://baton-pg-pooler-rw:6432/baton"));
    }

    @Test
    void aKafkaAddressOtherThanStrimzisIsNoticed() {
        assertBreaks("datastoreAddressesMatchTheOperators", "KAFKA_BOOTSTRAP_SERVERS=kafka:9092", "dev",
                o -> at(o, "ConfigMap", "notifier-service-config", "data").put("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092"));
    }

    @Test
    void aGracePeriodShorterThanTheDrainIsNoticed() {
        assertBreaks("shutdownFitsTheGracePeriod", "SIGTERM may take 65 s (preStop 5 s + quarkus.shutdown.timeout 30 s + "
                + "BATON_LIVENESS_DRAIN_TIMEOUT 30 s), terminationGracePeriodSeconds is 60", "prod",
                o -> at(o, "Deployment", "stage-service", "spec.template.spec").put("terminationGracePeriodSeconds", 60));
    }

    @Test
    void aDrainTimeoutRaisedPastTheGracePeriodIsNoticed() {
        assertBreaks("shutdownFitsTheGracePeriod", "BATON_LIVENESS_DRAIN_TIMEOUT 120 s), terminationGracePeriodSeconds is 75", "dev",
                o -> at(o, "ConfigMap", "stage-service-config", "data").put("BATON_LIVENESS_DRAIN_TIMEOUT", "2m"));
    }

    @Test
    void aRunnerWithoutItsGracePeriodIsNoticed() {
        assertBreaks("shutdownFitsTheGracePeriod", "Deployment agent-runner: SIGTERM may take 85 s", "prod",
                o -> at(o, "Deployment", "agent-runner", "spec.template.spec").remove("terminationGracePeriodSeconds"));
    }

    @Test
    void aMissingPreStopPauseIsNoticed() {
        assertBreaks("shutdownFitsTheGracePeriod", "Deployment webhook-gateway: no preStop pause", "dev",
                o -> at(o, "Deployment", "webhook-gateway", "spec.template.spec.containers.0").remove("lifecycle"));
    }

    @Test
    void everyCheckHasABreakingCase() {
        String source = ServiceSource.read(DeployManifestsTest.ROOT.resolve(
                "deploy/src/test/java/dev/baton/deploy/ManifestChecksCanFailTest.java"));
        List<String> uncovered = DeployManifestsTest.CHECKS.keySet().stream().sorted()
                .filter(check -> !source.contains("assertBreaks(\"" + check + "\"")).toList();
        assertEquals(List.of(), uncovered, "checks without a breaking case");
    }

    private static void assertBreaks(String check, String expected, String overlay, Consumer<ManifestChecks.Overlay> breakIt) {
        ManifestChecks.Overlay o = DeployManifestsTest.render(overlay);
        assertEquals(List.of(), DeployManifestsTest.CHECKS.get(check).apply(o), "intact " + overlay + " must pass " + check);
        breakIt.accept(o);
        List<String> problems = DeployManifestsTest.CHECKS.get(check).apply(o);
        assertTrue(problems.stream().anyMatch(p -> p.contains(expected)), () -> check + " did not report '" + expected + "': " + problems);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> at(ManifestChecks.Overlay o, String kind, String name, String path) {
        Object node = o.resources().stream().filter(r -> r.kind().equals(kind) && r.name().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError(kind + " " + name + " not rendered")).doc();
        for (String step : path.split("\\.")) {
            node = node instanceof List<?> l ? l.get(Integer.parseInt(step)) : ((Map<String, Object>) node).get(step);
        }
        return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> node, String field) {
        return (List<Object>) node.get(field);
    }
}
