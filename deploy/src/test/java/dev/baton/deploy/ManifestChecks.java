package dev.baton.deploy;

import dev.baton.events.Topics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks {@link DeployManifestsTest} runs on a rendered overlay. Each returns the problems it
 * found, one line each naming the resource, so a failure says what drifted; {@link
 * ManifestChecksCanFailTest} breaks a rendered overlay once per check and proves the check notices.
 */
final class ManifestChecks {

    /** The one service the outside world may reach (Plane and Gitea deliver webhooks to it). */
    static final String PUBLIC_SERVICE = "webhook-gateway";
    static final String PART_OF = "app.kubernetes.io/part-of";
    static final String NAME = "app.kubernetes.io/name";
    /** Variables whose values are credentials: only ever from a Secret, by reference. */
    static final Pattern SECRET_NAME = Pattern.compile(".*(TOKEN|SECRET|PASSWORD|API_KEY|PRIVATE_KEY)$");

    /** One rendered overlay, and everything it is checked against. */
    record Overlay(String name, int replicas, List<Kustomize.Resource> resources, List<ServiceSource> services,
                   Path root) {

        <T> List<T> all(String kind, Class<T> type) {
            return resources.stream().filter(r -> kind.equals(r.kind()))
                    .map(r -> Kustomize.YAML.convertValue(r.doc(), type)).toList();
        }

        List<Kustomize.Resource> raw(String kind) {
            return resources.stream().filter(r -> kind.equals(r.kind())).toList();
        }

        <T> Optional<T> one(String kind, String name, Class<T> type) {
            return resources.stream().filter(r -> kind.equals(r.kind()) && name.equals(r.name()))
                    .map(r -> Kustomize.YAML.convertValue(r.doc(), type)).findFirst();
        }

        String docs(String file) {
            return ServiceSource.read(root.resolve("docs").resolve(file));
        }
    }

    private ManifestChecks() {
    }

    /** Deployment, Service and PodDisruptionBudget per service, one container named after it. */
    static List<String> everyServiceIsDeployed(Overlay o) {
        List<String> problems = new ArrayList<>();
        for (ServiceSource s : o.services()) {
            for (String kind : List.of("Deployment", "Service", "PodDisruptionBudget")) {
                if (o.one(kind, s.name(), Object.class).isEmpty()) {
                    problems.add(s.name() + ": no " + kind);
                }
            }
            o.one("Deployment", s.name(), Deployment.class).ifPresent(d -> {
                List<Container> cs = d.getSpec().getTemplate().getSpec().getContainers();
                if (cs.size() != 1 || !s.name().equals(cs.get(0).getName())) {
                    problems.add(s.name() + ": expected one container named " + s.name());
                }
            });
        }
        for (Deployment d : o.all("Deployment", Deployment.class)) {
            if (o.services().stream().noneMatch(s -> s.name().equals(d.getMetadata().getName()))) {
                problems.add("Deployment " + d.getMetadata().getName() + ": no service module of that name");
            }
        }
        return problems;
    }

    /**
     * The container port is the service's quarkus.http.port (and the Dockerfile's EXPOSE), and the
     * Service points at it alone; the three probes hit SmallRye Health's paths, and the scrape
     * annotations the metrics path, on the management port (quarkus.management.port).
     */
    static List<String> portsAndProbesMatchTheService(Overlay o) {
        List<String> problems = new ArrayList<>();
        for (ServiceSource s : o.services()) {
            Optional<Deployment> found = o.one("Deployment", s.name(), Deployment.class);
            if (found.isEmpty()) {
                continue;
            }
            Deployment d = found.get();
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            int port = s.httpPort();
            int management = s.managementPort();
            String who = "Deployment " + s.name();
            if (c.getPorts().stream().map(ContainerPort::getContainerPort).noneMatch(p -> p == management)) {
                problems.add(who + ": no containerPort " + management + " (the management port of " + s.name() + ")");
            }
            String configuredManagement = env(o, c).get("QUARKUS_MANAGEMENT_PORT");
            if (configuredManagement != null && !configuredManagement.equals(String.valueOf(management))) {
                problems.add(who + ": QUARKUS_MANAGEMENT_PORT=" + configuredManagement + " but the probes assume " + management);
            }
            if (c.getPorts().stream().map(ContainerPort::getContainerPort).noneMatch(p -> p == port)) {
                problems.add(who + ": no containerPort " + port + " (quarkus.http.port of " + s.name() + ")");
            }
            if (s.exposedPort() != port) {
                problems.add(s.name() + "/" + ServiceSource.DOCKERFILE + ": EXPOSE " + s.exposedPort() + ", service listens on " + port);
            }
            String configured = env(o, c).get("QUARKUS_HTTP_PORT");
            if (configured != null && !configured.equals(String.valueOf(port))) {
                problems.add(who + ": QUARKUS_HTTP_PORT=" + configured + " but the probes and Service assume " + port);
            }
            if (!s.hasExtension("quarkus-smallrye-health")) {
                problems.add(s.name() + ": probes configured but quarkus-smallrye-health is not a dependency");
            }
            Map<String, Probe> probes = new LinkedHashMap<>();
            probes.put("started", c.getStartupProbe());
            probes.put("ready", c.getReadinessProbe());
            probes.put("live", c.getLivenessProbe());
            probes.forEach((kind, probe) -> {
                if (probe == null || probe.getHttpGet() == null) {
                    problems.add(who + ": no HTTP " + kind + " probe");
                    return;
                }
                if (!s.healthPath(kind).equals(probe.getHttpGet().getPath())) {
                    problems.add(who + ": " + kind + " probe on " + probe.getHttpGet().getPath() + ", the service serves " + s.healthPath(kind));
                }
                if (resolve(c, probe.getHttpGet().getPort()) != management) {
                    problems.add(who + ": " + kind + " probe port " + probe.getHttpGet().getPort() + " is not the management port " + management);
                }
            });
            Map<String, String> annotations = Optional.ofNullable(d.getSpec().getTemplate().getMetadata().getAnnotations()).orElse(Map.of());
            if (!"true".equals(annotations.get("prometheus.io/scrape"))
                    || !String.valueOf(management).equals(annotations.get("prometheus.io/port"))
                    || !s.metricsPath().equals(annotations.get("prometheus.io/path"))
                    || !s.hasExtension("quarkus-micrometer-registry-prometheus")) {
                problems.add(who + ": scrape annotations must say true/" + management + "/" + s.metricsPath()
                        + " and the service must have quarkus-micrometer-registry-prometheus; found " + annotations);
            }
            o.one("Service", s.name(), Service.class).ifPresent(svc -> svc.getSpec().getPorts().forEach(p -> {
                if (resolve(c, p.getTargetPort()) != port) {
                    problems.add("Service " + s.name() + ": targetPort " + p.getTargetPort() + " is not the container's " + port);
                }
            }));
        }
        return problems;
    }

    /** Every variable a Deployment sets (env and envFrom ConfigMaps) is one its service reads. */
    static List<String> everyEnvVarIsReadByTheService(Overlay o) {
        List<String> problems = new ArrayList<>();
        for (ServiceSource s : o.services()) {
            o.one("Deployment", s.name(), Deployment.class).ifPresent(d -> {
                for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
                    for (EnvFromSource from : Optional.ofNullable(c.getEnvFrom()).orElse(List.of())) {
                        if (from.getSecretRef() != null) {
                            problems.add("Deployment " + s.name() + ": envFrom a Secret hides which variables are set; use secretKeyRef");
                        }
                        if (from.getConfigMapRef() != null && o.one("ConfigMap", from.getConfigMapRef().getName(), ConfigMap.class).isEmpty()) {
                            problems.add("Deployment " + s.name() + ": envFrom ConfigMap " + from.getConfigMapRef().getName() + " does not exist");
                        }
                    }
                    for (String variable : env(o, c).keySet()) {
                        if (!s.reads(variable)) {
                            problems.add("Deployment " + s.name() + ": sets " + variable + ", which " + s.name() + " never reads");
                        }
                    }
                }
            });
        }
        return problems;
    }

    /** Every topic of the contract has a KafkaTopic with partitions and retention; services name no other. */
    static List<String> everyTopicHasAKafkaTopic(Overlay o) {
        List<String> problems = new ArrayList<>();
        List<String> kafkas = o.raw("Kafka").stream().map(Kustomize.Resource::name).toList();
        Map<String, Map<String, Object>> topics = new LinkedHashMap<>();
        for (Kustomize.Resource r : o.raw("KafkaTopic")) {
            Map<String, Object> spec = map(r.doc().get("spec"));
            String topic = (String) Objects.requireNonNullElse(spec.get("topicName"), r.name());
            topics.put(topic, spec);
            String cluster = (String) labels(r).get("strimzi.io/cluster");
            if (!kafkas.contains(cluster)) {
                problems.add("KafkaTopic " + r.name() + ": strimzi.io/cluster=" + cluster + " names no Kafka " + kafkas);
            }
            if (!(spec.get("partitions") instanceof Integer n) || n < 1) {
                problems.add("KafkaTopic " + r.name() + ": no partitions");
            }
            if (map(spec.get("config")).get("retention.ms") == null) {
                problems.add("KafkaTopic " + r.name() + ": no retention.ms");
            }
        }
        for (String topic : Topics.ALL) {
            if (!topics.containsKey(topic)) {
                problems.add("Topics.ALL has " + topic + " but no KafkaTopic creates it");
            }
        }
        for (String topic : topics.keySet()) {
            if (!Topics.ALL.contains(topic)) {
                problems.add("KafkaTopic " + topic + " is not in Topics.ALL");
            }
        }
        for (ServiceSource s : o.services()) {
            for (String topic : s.topics()) {
                if (!Topics.ALL.contains(topic)) {
                    problems.add(s.name() + ": channel topic " + topic + " is not in Topics.ALL");
                }
            }
        }
        return problems;
    }

    /**
     * One image per service ({@code .../baton/<service>}), all four at the same tag (released
     * together); names and part-of labels on every resource; selectors pick exactly the pods.
     */
    static List<String> imagesAndLabelsAreConsistent(Overlay o) {
        List<String> problems = new ArrayList<>();
        List<String> tags = new ArrayList<>();
        for (Kustomize.Resource r : o.resources()) {
            if (!"baton".equals(labels(r).get(PART_OF))) {
                problems.add(r.kind() + " " + r.name() + ": no label " + PART_OF + "=baton");
            }
        }
        for (ServiceSource s : o.services()) {
            for (String kind : List.of("Deployment", "Service", "PodDisruptionBudget", "ConfigMap")) {
                o.raw(kind).stream().filter(r -> r.name().startsWith(s.name())).forEach(r -> {
                    if (!s.name().equals(labels(r).get(NAME))) {
                        problems.add(kind + " " + r.name() + ": label " + NAME + " is " + labels(r).get(NAME) + ", not " + s.name());
                    }
                });
            }
            Optional<Deployment> found = o.one("Deployment", s.name(), Deployment.class);
            if (found.isEmpty()) {
                continue;
            }
            Deployment d = found.get();
            String image = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
            String imageName = Kustomize.imageName(image);
            if (!imageName.equals("baton/" + s.name()) && !imageName.endsWith("/baton/" + s.name())) {
                problems.add("Deployment " + s.name() + ": image " + image + " is not baton/" + s.name());
            }
            tags.add(Kustomize.imageTag(image));
            Map<String, String> selector = d.getSpec().getSelector().getMatchLabels();
            Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
            if (!s.name().equals(selector.get(NAME)) || !podLabels.entrySet().containsAll(selector.entrySet())) {
                problems.add("Deployment " + s.name() + ": selector " + selector + " must name the service and match the pod labels " + podLabels);
            }
            o.one("Service", s.name(), Service.class).filter(svc -> !selector.equals(svc.getSpec().getSelector()))
                    .ifPresent(svc -> problems.add("Service " + s.name() + ": selector " + svc.getSpec().getSelector() + " is not the Deployment's " + selector));
            o.one("PodDisruptionBudget", s.name(), PodDisruptionBudget.class)
                    .filter(pdb -> !selector.equals(pdb.getSpec().getSelector().getMatchLabels()))
                    .ifPresent(pdb -> problems.add("PodDisruptionBudget " + s.name() + ": selector is not the Deployment's " + selector));
        }
        if (tags.stream().distinct().count() > 1 || tags.contains(null)) {
            problems.add("images must all carry one explicit tag (released together), found " + tags);
        }
        if ("prod".equals(o.name()) && tags.stream().anyMatch(t -> t == null || t.contains("SNAPSHOT") || t.equals("latest"))) {
            problems.add("prod: images must carry a release tag, found " + tags);
        }
        return problems;
    }

    /**
     * The image is built from target/quarkus-app and runs as a non-root user, and the pod insists
     * on the same: runAsNonRoot with that UID, no privilege escalation.
     */
    static List<String> containersRunAsNonRoot(Overlay o) {
        List<String> problems = new ArrayList<>();
        for (ServiceSource s : o.services()) {
            Matcher user = Pattern.compile("(?m)^USER\\s+(\\d+)").matcher(s.dockerfile());
            Long uid = user.find() ? Long.valueOf(user.group(1)) : null;
            if (uid == null || uid == 0) {
                problems.add(s.name() + "/" + ServiceSource.DOCKERFILE + ": no numeric non-root USER");
            }
            if (!s.dockerfile().contains("target/quarkus-app/") || !s.dockerfile().contains("quarkus-run.jar")) {
                problems.add(s.name() + "/" + ServiceSource.DOCKERFILE + ": not built from target/quarkus-app");
            }
            o.one("Deployment", s.name(), Deployment.class).ifPresent(d -> {
                var pod = d.getSpec().getTemplate().getSpec().getSecurityContext();
                var container = d.getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext();
                if (pod == null || !Boolean.TRUE.equals(pod.getRunAsNonRoot()) || !Objects.equals(pod.getRunAsUser(), uid)) {
                    problems.add("Deployment " + s.name() + ": pod must set runAsNonRoot and runAsUser " + uid + " (the image's USER)");
                }
                if (container == null || !Boolean.FALSE.equals(container.getAllowPrivilegeEscalation())) {
                    problems.add("Deployment " + s.name() + ": container must set allowPrivilegeEscalation: false");
                }
            });
        }
        return problems;
    }

    /** The overlay's replica count per service, and a PodDisruptionBudget that keeps one up when there are two. */
    static List<String> replicasAndDisruptionBudgets(Overlay o) {
        List<String> problems = new ArrayList<>();
        for (ServiceSource s : o.services()) {
            Optional<Deployment> d = o.one("Deployment", s.name(), Deployment.class);
            Optional<PodDisruptionBudget> pdb = o.one("PodDisruptionBudget", s.name(), PodDisruptionBudget.class);
            if (d.isEmpty() || pdb.isEmpty()) {
                continue;
            }
            int replicas = Optional.ofNullable(d.get().getSpec().getReplicas()).orElse(1);
            if (replicas != o.replicas()) {
                problems.add("Deployment " + s.name() + ": " + replicas + " replicas, " + o.name() + " runs " + o.replicas());
            }
            IntOrString maxUnavailable = pdb.get().getSpec().getMaxUnavailable();
            IntOrString minAvailable = pdb.get().getSpec().getMinAvailable();
            int up = maxUnavailable != null && maxUnavailable.getIntVal() != null ? replicas - maxUnavailable.getIntVal()
                    : minAvailable != null && minAvailable.getIntVal() != null ? minAvailable.getIntVal() : -1;
            if (replicas >= 2 && (up < 1 || up >= replicas)) {
                problems.add("PodDisruptionBudget " + s.name() + ": must keep at least one of " + replicas
                        + " up and allow one eviction (integer maxUnavailable or minAvailable)");
            }
        }
        return problems;
    }

    /**
     * No Secret objects at all (values never live in the repository); credentials only through
     * secretKeyRef, never as a value or in a ConfigMap; every referenced Secret and key is in docs/deploy.md.
     */
    static List<String> secretsOnlyByReference(Overlay o) {
        List<String> problems = new ArrayList<>();
        o.raw("Secret").forEach(r -> problems.add("Secret " + r.name() + ": secrets are created by the operator, never kept in the manifests"));
        String docs = o.docs("deploy.md");
        for (ConfigMap cm : o.all("ConfigMap", ConfigMap.class)) {
            Optional.ofNullable(cm.getData()).orElse(Map.of()).keySet().stream().filter(k -> SECRET_NAME.matcher(k).matches())
                    .forEach(k -> problems.add("ConfigMap " + cm.getMetadata().getName() + ": " + k + " is a credential; use a secretKeyRef"));
        }
        for (Deployment d : o.all("Deployment", Deployment.class)) {
            for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
                for (EnvVar e : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
                    boolean byRef = e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null;
                    if (SECRET_NAME.matcher(e.getName()).matches() && !byRef) {
                        problems.add("Deployment " + d.getMetadata().getName() + ": " + e.getName() + " must come from a secretKeyRef");
                    }
                    if (byRef) {
                        String ref = e.getValueFrom().getSecretKeyRef().getName();
                        String key = e.getValueFrom().getSecretKeyRef().getKey();
                        if (!docs.contains("`" + ref + "`") || !docs.contains("`" + key + "`")) {
                            problems.add("Deployment " + d.getMetadata().getName() + ": Secret " + ref + " key " + key
                                    + " is not listed in docs/deploy.md");
                        }
                    }
                }
            }
        }
        return problems;
    }

    /**
     * Only the gateway is reachable from outside the cluster: every Baton pod is selected by an
     * Ingress policy (so it is not open by default); no rule for another service admits
     * everyone; the gateway has a rule admitting everyone on its port. Only the services that use
     * PostgreSQL reach it, and only Baton's services reach Kafka.
     */
    static List<String> networkPoliciesExposeOnlyTheGateway(Overlay o) {
        List<String> problems = new ArrayList<>();
        List<NetworkPolicy> policies = ingressPolicies(o);
        for (ServiceSource s : o.services()) {
            Map<String, String> pod = podLabels(o, s);
            if (pod == null) {
                continue;
            }
            List<NetworkPolicy> selecting = policies.stream().filter(p -> selects(p.getSpec().getPodSelector(), pod)).toList();
            if (selecting.isEmpty()) {
                problems.add(s.name() + ": no NetworkPolicy selects its pods, so anyone can connect");
            }
            boolean open = false;
            for (NetworkPolicy p : selecting) {
                for (NetworkPolicyIngressRule rule : Optional.ofNullable(p.getSpec().getIngress()).orElse(List.of())) {
                    if (fromAnywhere(rule)) {
                        open |= rule.getPorts() == null || rule.getPorts().isEmpty() || rule.getPorts().stream()
                                .anyMatch(port -> port.getPort() == null || Objects.equals(port.getPort().getIntVal(), s.httpPort()));
                        if (!PUBLIC_SERVICE.equals(s.name())) {
                            problems.add("NetworkPolicy " + p.getMetadata().getName() + ": admits everyone to " + s.name());
                        }
                    }
                }
            }
            if (PUBLIC_SERVICE.equals(s.name()) && !open) {
                problems.add(s.name() + ": no NetworkPolicy admits the Ingress controller on port " + s.httpPort());
            }
        }
        problems.addAll(postgresReachedOnlyByItsUsers(o, policies));
        problems.addAll(kafkaReachedOnlyByServices(o));
        return problems;
    }

    /** A metric Baton exports, as a dashboard or rule names it (a histogram's parts included). */
    private static final Pattern BATON_METRIC = Pattern.compile("\\bbaton_[a-z0-9_]+");
    /** What an operator must hear about, by the metric its rule reads (issue: alerts as code). */
    static final List<String> ALERTED = List.of("baton_leases", "baton_effects_in_doubt", "baton_inbound_events",
            "baton_notifier_backlog_oldest_seconds", "baton_reaper_sweep_last_timestamp_seconds");

    /**
     * Every metric the Grafana dashboards (ConfigMaps labelled {@code grafana_dashboard}) and the
     * PrometheusRules name is in the metrics table of docs/operations.md, whose rows each service's
     * test checks against its real scrape: no panel or alert watches a series nobody exports. Every
     * panel query and rule names one, and the rules watch each of {@link #ALERTED}.
     */
    static List<String> dashboardsAndRulesNameExportedMetrics(Overlay o) {
        List<String> problems = new ArrayList<>();
        Map<String, java.util.Set<String>> catalog = dev.baton.infra.test.MetricsCatalog.load(o.root().resolve("docs/operations.md"));
        Map<String, String> dashboards = new LinkedHashMap<>();
        for (Kustomize.Resource r : o.raw("ConfigMap")) {
            if (labels(r).containsKey("grafana_dashboard")) {
                map(r.doc().get("data")).forEach((file, json) -> {
                    try {
                        collectExprs(new com.fasterxml.jackson.databind.ObjectMapper().readTree(String.valueOf(json)),
                                "ConfigMap " + r.name() + "/" + file, dashboards);
                    } catch (java.io.IOException e) {
                        problems.add("ConfigMap " + r.name() + "/" + file + ": not JSON: " + e.getMessage());
                    }
                });
            }
        }
        Map<String, String> rules = new LinkedHashMap<>();
        for (Kustomize.Resource r : o.raw("PrometheusRule")) {
            collectExprs(Kustomize.YAML.valueToTree(r.doc().get("spec")), "PrometheusRule " + r.name(), rules);
        }
        if (dashboards.isEmpty()) {
            problems.add("no Grafana dashboard (a ConfigMap labelled grafana_dashboard) with queries");
        }
        java.util.Set<String> alerted = new java.util.TreeSet<>();
        Map<String, String> all = new LinkedHashMap<>(dashboards);
        all.putAll(rules);
        all.forEach((where, expr) -> {
            Matcher m = BATON_METRIC.matcher(expr);
            boolean any = false;
            while (m.find()) {
                any = true;
                String metric = m.group().replaceAll("_(bucket|count|sum|max)$", "");
                if (!catalog.containsKey(m.group()) && !catalog.containsKey(metric)) {
                    problems.add(where + ": names " + m.group() + ", which the metrics table of docs/operations.md does not list");
                }
                if (rules.containsKey(where)) {
                    alerted.add(metric);
                }
            }
            if (!any) {
                problems.add(where + ": names no baton_ metric: " + expr);
            }
        });
        ALERTED.stream().filter(metric -> !alerted.contains(metric))
                .forEach(metric -> problems.add("no PrometheusRule watches " + metric));
        return problems;
    }

    /** Every {@code expr} under {@code node}, keyed by where it is (for the messages). */
    private static void collectExprs(com.fasterxml.jackson.databind.JsonNode node, String where, Map<String, String> out) {
        if (node.isObject()) {
            if (node.path("expr").isTextual()) {
                String name = node.path("alert").asText(node.path("title").asText(node.path("refId").asText("")));
                out.put(where + " " + name + " #" + out.size(), node.path("expr").asText());
            }
            String title = node.path("title").asText("");
            node.fields().forEachRemaining(e -> collectExprs(e.getValue(), title.isEmpty() ? where : where + " '" + title + "'", out));
        } else if (node.isArray()) {
            node.forEach(child -> collectExprs(child, where, out));
        }
    }

    /** The namespace whose Prometheus scrapes the services (the policies' namespaceSelector). */
    static final String MONITORING_NAMESPACE = "monitoring";

    /**
     * The management port (health, metrics, OpenAPI) is reached only from the monitoring namespace:
     * every rule that admits it names that namespace and nothing else, and one rule does (else
     * Prometheus cannot scrape). Kubelet probes are not subject to NetworkPolicies.
     */
    static List<String> managementPortOnlyForMonitoring(Overlay o) {
        List<String> problems = new ArrayList<>();
        List<NetworkPolicy> policies = ingressPolicies(o);
        for (ServiceSource s : o.services()) {
            Map<String, String> pod = podLabels(o, s);
            if (pod == null) {
                continue;
            }
            int management = s.managementPort();
            if (management == s.httpPort()) {
                problems.add(s.name() + ": health and metrics share the API port " + management + " (quarkus.management.enabled)");
                continue;
            }
            boolean scraped = false;
            for (NetworkPolicy p : policies) {
                if (!selects(p.getSpec().getPodSelector(), pod)) {
                    continue;
                }
                for (NetworkPolicyIngressRule rule : Optional.ofNullable(p.getSpec().getIngress()).orElse(List.of())) {
                    boolean admitsPort = rule.getPorts() == null || rule.getPorts().isEmpty() || rule.getPorts().stream()
                            .anyMatch(port -> port.getPort() == null || Objects.equals(port.getPort().getIntVal(), management));
                    if (!admitsPort) {
                        continue;
                    }
                    List<NetworkPolicyPeer> from = Optional.ofNullable(rule.getFrom()).orElse(List.of());
                    boolean onlyMonitoring = !from.isEmpty() && from.stream().allMatch(peer -> peer.getIpBlock() == null
                            && peer.getPodSelector() == null && peer.getNamespaceSelector() != null
                            && Map.of("kubernetes.io/metadata.name", MONITORING_NAMESPACE)
                                    .equals(peer.getNamespaceSelector().getMatchLabels()));
                    if (onlyMonitoring) {
                        scraped = true;
                    } else {
                        problems.add("NetworkPolicy " + p.getMetadata().getName() + ": admits more than the "
                                + MONITORING_NAMESPACE + " namespace to the management port " + management + " of " + s.name());
                    }
                }
            }
            if (!scraped) {
                problems.add(s.name() + ": no NetworkPolicy admits the " + MONITORING_NAMESPACE + " namespace to the management port " + management);
            }
        }
        return problems;
    }

    private static List<String> postgresReachedOnlyByItsUsers(Overlay o, List<NetworkPolicy> policies) {
        List<String> problems = new ArrayList<>();
        for (Kustomize.Resource cluster : o.raw("Cluster")) {
            Map<String, String> pgPod = Map.of("cnpg.io/cluster", cluster.name());
            List<NetworkPolicyIngressRule> rules = policies.stream().filter(p -> selects(p.getSpec().getPodSelector(), pgPod))
                    .flatMap(p -> Optional.ofNullable(p.getSpec().getIngress()).orElse(List.of()).stream())
                    .filter(r -> r.getPorts() == null || r.getPorts().stream().map(NetworkPolicyPort::getPort)
                            .anyMatch(p -> p == null || Objects.equals(p.getIntVal(), 5432)))
                    .toList();
            if (rules.isEmpty()) {
                problems.add("Cluster " + cluster.name() + ": no NetworkPolicy guards PostgreSQL");
            }
            for (ServiceSource s : o.services()) {
                Map<String, String> pod = o.one("Deployment", s.name(), Deployment.class)
                        .map(d -> d.getSpec().getTemplate().getMetadata().getLabels()).orElse(Map.of());
                boolean admitted = rules.stream().anyMatch(r -> admits(r, pod));
                if (admitted != s.usesPostgres()) {
                    problems.add("Cluster " + cluster.name() + ": " + s.name() + (admitted ? " reaches PostgreSQL but does not use it" : " uses PostgreSQL but cannot reach it"));
                }
            }
            rules.stream().filter(ManifestChecks::fromAnywhere)
                    .forEach(r -> problems.add("Cluster " + cluster.name() + ": a NetworkPolicy rule admits everyone to PostgreSQL"));
        }
        return problems;
    }

    private static List<String> kafkaReachedOnlyByServices(Overlay o) {
        List<String> problems = new ArrayList<>();
        for (Kustomize.Resource kafka : o.raw("Kafka")) {
            for (Object l : (List<?>) map(map(kafka.doc().get("spec")).get("kafka")).get("listeners")) {
                Map<String, Object> listener = map(l);
                List<NetworkPolicyPeer> peers = Kustomize.YAML.convertValue(
                        listener.getOrDefault("networkPolicyPeers", List.of()),
                        Kustomize.YAML.getTypeFactory().constructCollectionType(List.class, NetworkPolicyPeer.class));
                if (peers.isEmpty()) {
                    problems.add("Kafka " + kafka.name() + ": listener " + listener.get("name") + " has no networkPolicyPeers, so anyone can connect");
                }
                for (ServiceSource s : o.services()) {
                    Map<String, String> pod = o.one("Deployment", s.name(), Deployment.class)
                            .map(d -> d.getSpec().getTemplate().getMetadata().getLabels()).orElse(Map.of());
                    boolean admitted = peers.stream().anyMatch(p -> p.getPodSelector() != null && p.getNamespaceSelector() == null
                            && selects(p.getPodSelector(), pod));
                    if (s.usesKafka() && !admitted) {
                        problems.add("Kafka " + kafka.name() + ": " + s.name() + " uses Kafka but its pods are not a networkPolicyPeer");
                    }
                }
                peers.stream().filter(p -> p.getIpBlock() != null || p.getNamespaceSelector() != null)
                        .forEach(p -> problems.add("Kafka " + kafka.name() + ": peer " + p + " reaches beyond Baton's pods"));
            }
        }
        return problems;
    }

    /** One Ingress, for the gateway's webhook paths only (not /q/*, not /), on a port its Service has. */
    static List<String> ingressOnlyForTheGateway(Overlay o) {
        List<String> problems = new ArrayList<>();
        List<Ingress> ingresses = o.all("Ingress", Ingress.class);
        ServiceSource gateway = o.services().stream().filter(s -> PUBLIC_SERVICE.equals(s.name())).findFirst().orElseThrow();
        if (ingresses.isEmpty()) {
            problems.add("no Ingress for " + PUBLIC_SERVICE);
        }
        for (Ingress ing : ingresses) {
            for (IngressRule rule : ing.getSpec().getRules()) {
                for (HTTPIngressPath path : rule.getHttp().getPaths()) {
                    var backend = path.getBackend().getService();
                    String who = "Ingress " + ing.getMetadata().getName() + " " + path.getPath();
                    if (!PUBLIC_SERVICE.equals(backend.getName())) {
                        problems.add(who + ": routes to " + backend.getName() + "; only " + PUBLIC_SERVICE + " is public");
                        continue;
                    }
                    if (gateway.resourcePaths().stream().noneMatch(p -> p.equals(path.getPath()) || p.startsWith(path.getPath() + "/"))
                            || "/".equals(path.getPath())) {
                        problems.add(who + ": not one of the gateway's resource paths " + gateway.resourcePaths());
                    }
                    boolean portExists = o.one("Service", PUBLIC_SERVICE, Service.class).stream()
                            .flatMap(svc -> svc.getSpec().getPorts().stream())
                            .anyMatch(p -> Objects.equals(p.getName(), backend.getPort().getName())
                                    || Objects.equals(p.getPort(), backend.getPort().getNumber()));
                    if (!portExists) {
                        problems.add(who + ": Service " + PUBLIC_SERVICE + " has no port " + backend.getPort());
                    }
                }
            }
        }
        return problems;
    }

    /**
     * Requests and limits on every container; the memory request covers the peak RSS measured in
     * docs/deploy.md (with the image's JVM flags, which that page names) and both figures are the
     * ones the page states.
     */
    static List<String> resourcesMatchMeasuredRss(Overlay o) {
        List<String> problems = new ArrayList<>();
        String docs = o.docs("deploy.md");
        for (ServiceSource s : o.services()) {
            Matcher flags = Pattern.compile("JAVA_OPTS=\"([^\"]*)\"").matcher(s.dockerfile());
            if (!flags.find()) {
                problems.add(s.name() + ": the Dockerfile sets no JAVA_OPTS the sizing relies on");
            } else {
                for (String flag : flags.group(1).split("\\s+")) {
                    if (flag.startsWith("-X") && !docs.contains(flag)) {
                        problems.add(s.name() + ": the image runs with " + flag + ", which docs/deploy.md's sizing does not state");
                    }
                }
            }
            Matcher row = Pattern.compile("(?m)^\\| `" + s.name() + "` \\| ~?(\\d+) MB \\| ~?(\\d+) MB \\| (\\S+) \\| (\\S+) \\|").matcher(docs);
            if (!row.find()) {
                problems.add("docs/deploy.md: no sizing row for " + s.name());
                continue;
            }
            long peakMiB = Long.parseLong(row.group(2));
            Optional<Deployment> d = o.one("Deployment", s.name(), Deployment.class);
            if (d.isEmpty()) {
                continue;
            }
            Container c = d.get().getSpec().getTemplate().getSpec().getContainers().get(0);
            if (c.getResources() == null || c.getResources().getRequests() == null || c.getResources().getLimits() == null) {
                problems.add("Deployment " + s.name() + ": no resource requests and limits");
                continue;
            }
            Map<String, Quantity> requests = c.getResources().getRequests();
            Map<String, Quantity> limits = c.getResources().getLimits();
            for (String r : List.of("cpu", "memory")) {
                if (requests.get(r) == null || limits.get(r) == null) {
                    problems.add("Deployment " + s.name() + ": no " + r + " request or limit");
                }
            }
            if (requests.get("memory") == null || limits.get("memory") == null) {
                continue;
            }
            BigDecimal request = requests.get("memory").getNumericalAmount();
            BigDecimal limit = limits.get("memory").getNumericalAmount();
            if (request.compareTo(BigDecimal.valueOf(peakMiB << 20)) < 0) {
                problems.add("Deployment " + s.name() + ": memory request " + requests.get("memory") + " is below the measured peak of " + peakMiB + " MB");
            }
            if (limit.compareTo(request) <= 0) {
                problems.add("Deployment " + s.name() + ": memory limit must leave headroom above the request");
            }
            if (!row.group(3).equals(requests.get("memory").toString()) || !row.group(4).equals(limits.get("memory").toString())) {
                problems.add("Deployment " + s.name() + ": memory " + requests.get("memory") + "/" + limits.get("memory")
                        + ", docs/deploy.md says " + row.group(3) + "/" + row.group(4));
            }
        }
        return problems;
    }

    /**
     * The services find the operators' Kafka and PostgreSQL by the names those resources give their
     * Services; the PostgreSQL URL names the primary directly (CNPG's "-rw"), never a pooler: the
     * liveness lock is a session lock.
     */
    static List<String> datastoreAddressesMatchTheOperators(Overlay o) {
        List<String> problems = new ArrayList<>();
        for (ServiceSource s : o.services()) {
            Optional<Deployment> d = o.one("Deployment", s.name(), Deployment.class);
            if (d.isEmpty()) {
                continue;
            }
            Map<String, String> env = env(o, d.get().getSpec().getTemplate().getSpec().getContainers().get(0));
            for (Kustomize.Resource kafka : o.raw("Kafka")) {
                Object port = map(((List<?>) map(map(kafka.doc().get("spec")).get("kafka")).get("listeners")).get(0)).get("port");
                String expected = kafka.name() + "-kafka-bootstrap:" + port;
                if (s.usesKafka() && !expected.equals(env.get("KAFKA_BOOTSTRAP_SERVERS"))) {
                    problems.add("Deployment " + s.name() + ": KAFKA_BOOTSTRAP_SERVERS=" + env.get("KAFKA_BOOTSTRAP_SERVERS") + ", Strimzi serves " + expected);
                }
            }
            if (!s.usesPostgres()) {
                continue;
            }
            String url = env.get("BATON_PG_URL");
            if (url == null) {
                problems.add("Deployment " + s.name() + ": no BATON_PG_URL");
                continue;
            }
            URI uri = URI.create(url);
            if (uri.getPort() == 6432 || uri.getHost().contains("pooler") || uri.getHost().contains("bouncer")) {
                problems.add("Deployment " + s.name() + ": BATON_PG_URL " + url + " goes through a pooler; it must reach PostgreSQL directly");
            }
            for (Kustomize.Resource cluster : o.raw("Cluster")) {
                if (!uri.getHost().equals(cluster.name() + "-rw") || uri.getPort() != 5432) {
                    problems.add("Deployment " + s.name() + ": BATON_PG_URL " + url + " is not the primary " + cluster.name() + "-rw:5432");
                }
            }
        }
        return problems;
    }

    /**
     * What a service's own shutdown waits for after the HTTP requests in hand (quarkus.shutdown.timeout):
     * the settings that bound it, as the pod sets them or else as the service defaults them.
     */
    static final Map<String, List<String>> DRAIN_SETTINGS = Map.of(
            "stage-service", List.of("BATON_LIVENESS_DRAIN_TIMEOUT"),
            "agent-runner", List.of("BATON_RUNNER_SHUTDOWN_GRACE", "BATON_RUNNER_KILL_GRACE"));
    /**
     * Fixed waits of a service's own shutdown, in seconds: the runner's wait for the reports of the
     * agents it stopped (RunnerService.REPORT_AFTER_STOP), the notifier's sender and leadership closes.
     */
    static final Map<String, Integer> FIXED_WAITS = Map.of("agent-runner", 30, "notifier-service", 10);
    private static final Pattern SLEEP = Pattern.compile("\\bsleep\\s+(\\d+)\\b");
    /** The kubelet's default when a pod sets none. */
    private static final long DEFAULT_GRACE = 30;

    /**
     * SIGTERM drains within the pod's grace: a preStop pause (so the pod leaves the endpoints before
     * it stops taking requests), then quarkus.shutdown.timeout for the requests in hand, then the
     * service's own drain ({@link #DRAIN_SETTINGS}, {@link #FIXED_WAITS}); their sum must stay below
     * terminationGracePeriodSeconds, or the kubelet's SIGKILL cuts the drain short.
     */
    static List<String> shutdownFitsTheGracePeriod(Overlay o) {
        List<String> problems = new ArrayList<>();
        for (ServiceSource s : o.services()) {
            Optional<Deployment> d = o.one("Deployment", s.name(), Deployment.class);
            if (d.isEmpty()) {
                continue;
            }
            PodSpec pod = d.get().getSpec().getTemplate().getSpec();
            Container c = pod.getContainers().get(0);
            String where = "Deployment " + s.name() + ": ";
            Matcher sleep = Optional.ofNullable(c.getLifecycle()).map(Lifecycle::getPreStop)
                    .map(h -> h.getExec() == null ? "" : String.join(" ", h.getExec().getCommand()))
                    .map(SLEEP::matcher).orElse(null);
            if (sleep == null || !sleep.find()) {
                problems.add(where + "no preStop pause (exec sleep N): the pod would stop taking requests while "
                        + "still in the endpoints");
                continue;
            }
            Map<String, String> env = env(o, c);
            Optional<String> timeout = s.setting("QUARKUS_SHUTDOWN_TIMEOUT", env);
            if (timeout.isEmpty()) {
                problems.add(where + "no quarkus.shutdown.timeout: SIGTERM would not wait for the requests in hand");
                continue;
            }
            long total = Long.parseLong(sleep.group(1)) + seconds(timeout.get());
            StringBuilder sum = new StringBuilder("preStop " + sleep.group(1) + " s + quarkus.shutdown.timeout "
                    + seconds(timeout.get()) + " s");
            for (String variable : DRAIN_SETTINGS.getOrDefault(s.name(), List.of())) {
                Optional<String> value = s.setting(variable, env);
                if (value.isEmpty()) {
                    problems.add(where + variable + " has no value and no default in " + s.name() + "'s sources");
                    continue;
                }
                total += seconds(value.get());
                sum.append(" + ").append(variable).append(' ').append(seconds(value.get())).append(" s");
            }
            int fixed = FIXED_WAITS.getOrDefault(s.name(), 0);
            if (fixed > 0) {
                total += fixed;
                sum.append(" + its own fixed waits ").append(fixed).append(" s");
            }
            long grace = Optional.ofNullable(pod.getTerminationGracePeriodSeconds()).orElse(DEFAULT_GRACE);
            if (total >= grace) {
                problems.add(where + "SIGTERM may take " + total + " s (" + sum + "), terminationGracePeriodSeconds is "
                        + grace + ": the kubelet SIGKILLs it before it drained");
            }
        }
        return problems;
    }

    /** A Quarkus duration ({@code 30s}, {@code 500ms}, {@code 2m}, {@code PT30S}, or plain seconds), in whole seconds rounded up. */
    static long seconds(String duration) {
        String d = duration.trim();
        Duration parsed;
        if (d.matches("\\d+")) {
            parsed = Duration.ofSeconds(Long.parseLong(d));
        } else if (d.matches("\\d+ms")) {
            parsed = Duration.ofMillis(Long.parseLong(d.substring(0, d.length() - 2)));
        } else if (d.matches("\\d+[smhd]")) {
            parsed = Duration.parse((d.endsWith("d") ? "P" : "PT") + d.toUpperCase(Locale.ROOT));
        } else {
            parsed = Duration.parse(d);
        }
        return (parsed.toMillis() + 999) / 1000;
    }

    /** The variables a container gets: its env entries over its envFrom ConfigMaps' keys. */
    static Map<String, String> env(Overlay o, Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : Optional.ofNullable(c.getEnvFrom()).orElse(List.of())) {
            if (from.getConfigMapRef() != null) {
                o.one("ConfigMap", from.getConfigMapRef().getName(), ConfigMap.class)
                        .map(ConfigMap::getData).ifPresent(env::putAll);
            }
        }
        for (EnvVar e : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
            env.put(e.getName(), e.getValue());
        }
        return env;
    }

    private static int resolve(Container c, IntOrString port) {
        if (port == null) {
            return -1;
        }
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return c.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort).findFirst().orElse(-1);
    }

    /** matchLabels only; matchExpressions are outside what Baton's manifests use, so they never match here. */
    /** The NetworkPolicies that govern inbound connections. */
    private static List<NetworkPolicy> ingressPolicies(Overlay o) {
        return o.all("NetworkPolicy", NetworkPolicy.class).stream()
                .filter(p -> p.getSpec().getPolicyTypes() == null || p.getSpec().getPolicyTypes().contains("Ingress")).toList();
    }

    /** The labels of the service's pods, or null when the overlay has no Deployment of it. */
    private static Map<String, String> podLabels(Overlay o, ServiceSource s) {
        return o.one("Deployment", s.name(), Deployment.class)
                .map(d -> d.getSpec().getTemplate().getMetadata().getLabels()).orElse(null);
    }

    private static boolean selects(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        if (selector.getMatchExpressions() != null && !selector.getMatchExpressions().isEmpty()) {
            return false;
        }
        Map<String, String> want = Optional.ofNullable(selector.getMatchLabels()).orElse(Map.of());
        return labels.entrySet().containsAll(want.entrySet());
    }

    /** No peers, an ipBlock, or an empty namespace selector: the rule admits connections from outside the namespace's pods. */
    private static boolean fromAnywhere(NetworkPolicyIngressRule rule) {
        List<NetworkPolicyPeer> from = Optional.ofNullable(rule.getFrom()).orElse(List.of());
        return from.isEmpty() || from.stream().anyMatch(p -> p.getIpBlock() != null
                || (p.getNamespaceSelector() != null && Optional.ofNullable(p.getNamespaceSelector().getMatchLabels()).orElse(Map.of()).isEmpty()
                && Optional.ofNullable(p.getNamespaceSelector().getMatchExpressions()).orElse(List.of()).isEmpty()));
    }

    private static boolean admits(NetworkPolicyIngressRule rule, Map<String, String> pod) {
        return Optional.ofNullable(rule.getFrom()).orElse(List.of()).stream()
                .anyMatch(p -> p.getNamespaceSelector() == null && p.getIpBlock() == null && selects(p.getPodSelector(), pod));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> labels(Kustomize.Resource r) {
        return map(r.metadata().get("labels"));
    }
}
