package dev.baton.stage.pipeline;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.stage.config.InboundConfig;
import dev.baton.stage.config.PipelineConfig;
import dev.baton.stage.config.PlaneConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads the pipeline definition at start: the file named by {@code BATON_PIPELINE_FILE}, or the
 * built-in {@code dev/baton/pipeline.json} of baton-common, with this deployment's Plane states laid
 * over it ({@code BATON_PLANE_STATE_MAP} sets stages' Plane state ids, {@code BATON_INBOUND_PLANE_STATES}
 * their Plane state names). An invalid definition stops the service; {@code StageServiceMain} checks
 * it before Quarkus starts, so the exit is one line naming every problem.
 */
@ApplicationScoped
public class PipelineLoader {

    /** The default definition, shipped in baton-common so every service reads the same file. */
    static final String BUILT_IN = "dev/baton/pipeline.json";

    /** The file format: stages in order, declared transitions, where cancel leads, and the card's groups. */
    record PipelineFile(List<StageEntry> stages, List<TransitionEntry> transitions, String cancelTo,
                        Map<String, Map<String, String>> cardGroups) {
    }

    record StageEntry(String key, Map<String, String> label, boolean terminal, boolean worked, List<String> gates,
                      Map<String, String> on, boolean recordsApproval, String cardGroup, PlaneState plane) {
    }

    record TransitionEntry(String from, String to, String kind, List<String> effects) {
    }

    /** This deployment's Plane states, laid over the file's: {@code stage=id,...} and {@code name=stage,...}. */
    public record PlaneOverrides(Optional<String> stateIds, Optional<String> stateNames) {

        public static PlaneOverrides none() {
            return new PlaneOverrides(Optional.empty(), Optional.empty());
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Produces
    @Singleton
    PipelineDefinition pipeline(PipelineConfig config, PlaneConfig plane, InboundConfig inbound) {
        return load(config.file(), new PlaneOverrides(plane.stateMap(), inbound.planeStates()));
    }

    /**
     * The definition from {@code file} (absent or blank: the built-in one) with {@code overrides}.
     *
     * @throws InvalidPipelineException naming every problem found
     */
    public static PipelineDefinition load(Optional<String> file, PlaneOverrides overrides) {
        Optional<String> named = file.filter(f -> !f.isBlank());
        String source = named.orElse("classpath:" + BUILT_IN);
        PipelineFile read;
        try (InputStream in = named.isPresent() ? Files.newInputStream(Path.of(named.get()))
                : PipelineLoader.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new InvalidPipelineException(List.of(source + " not found"));
            }
            read = JSON.readValue(in, PipelineFile.class);
        } catch (IOException e) {
            throw new InvalidPipelineException(List.of("cannot read " + source + ": " + firstLine(e.getMessage())));
        }
        return parse(read, overrides);
    }

    /**
     * What {@link #load} would refuse, as ONE line naming every problem (the start-up exit prints it);
     * empty when the definition is valid.
     */
    public static List<String> problems(Optional<String> file, PlaneOverrides overrides) {
        try {
            load(file, overrides);
            return List.of();
        } catch (InvalidPipelineException e) {
            return List.of("pipeline definition " + file.filter(f -> !f.isBlank()).orElse("classpath:" + BUILT_IN)
                    + " is invalid: " + String.join("; ", e.problems()));
        }
    }

    static PipelineDefinition parse(PipelineFile file) {
        return parse(file, PlaneOverrides.none());
    }

    static PipelineDefinition parse(PipelineFile file, PlaneOverrides overrides) {
        List<String> problems = new ArrayList<>();
        List<Stage> stages = file.stages() == null ? List.of() : file.stages().stream()
                .map(s -> new Stage(s.key(), s.label(), s.terminal(), s.worked(), s.gates(), s.on(),
                        s.recordsApproval(), s.cardGroup(), s.plane()))
                .toList();
        stages = overridePlane(stages, overrides, problems);
        List<Transition> transitions = new ArrayList<>();
        for (TransitionEntry t : file.transitions() == null ? List.<TransitionEntry>of() : file.transitions()) {
            try {
                transitions.add(new Transition(t.from(), t.to(),
                        TransitionKind.fromKey(t.kind() == null ? "advance" : t.kind()),
                        t.effects() == null ? List.of() : List.copyOf(t.effects())));
            } catch (IllegalArgumentException e) {
                problems.add("transition " + t.from() + " -> " + t.to() + ": " + e.getMessage());
            }
        }
        try {
            PipelineDefinition pipeline = PipelineDefinition.of(stages, transitions, file.cancelTo(), file.cardGroups());
            if (!problems.isEmpty()) {
                throw new InvalidPipelineException(problems);
            }
            return pipeline;
        } catch (InvalidPipelineException e) {
            problems.addAll(e.problems());
            throw new InvalidPipelineException(problems);
        }
    }

    /**
     * Lays the deployment's Plane ids and names over the file's: the same per-stage Plane state the
     * sync, the reconciler and the inbound path all read. A stage the override names that the
     * pipeline lacks, a malformed pair, or two names for one stage are problems.
     */
    private static List<Stage> overridePlane(List<Stage> stages, PlaneOverrides overrides, List<String> problems) {
        Map<String, Stage> byKey = new LinkedHashMap<>();
        stages.forEach(s -> byKey.putIfAbsent(s.key(), s));
        Map<String, String> ids = pairs("BATON_PLANE_STATE_MAP", overrides.stateIds(), false, problems);
        Map<String, String> names = pairs("BATON_INBOUND_PLANE_STATES", overrides.stateNames(), true, problems);
        ids.forEach((stage, id) -> {
            if (!byKey.containsKey(stage)) {
                problems.add("BATON_PLANE_STATE_MAP names unknown stage '" + stage + "'");
            }
        });
        Map<String, String> nameOf = new LinkedHashMap<>();
        names.forEach((name, stage) -> {
            if (!byKey.containsKey(stage)) {
                problems.add("BATON_INBOUND_PLANE_STATES maps '" + name + "' to unknown stage '" + stage + "'");
            } else if (nameOf.putIfAbsent(stage, name) != null) {
                problems.add("BATON_INBOUND_PLANE_STATES gives stage '" + stage + "' two Plane states ('"
                        + nameOf.get(stage) + "', '" + name + "')");
            }
        });
        return stages.stream().map(s -> {
            if (!ids.containsKey(s.key()) && !nameOf.containsKey(s.key())) {
                return s;
            }
            PlaneState own = s.plane() == null ? new PlaneState(null, null) : s.plane();
            return s.withPlane(new PlaneState(ids.getOrDefault(s.key(), own.id()),
                    nameOf.getOrDefault(s.key(), own.name())));
        }).toList();
    }

    /** {@code a=b,c=d} in order; with {@code reversed} the value is the stage, else the key is. */
    private static Map<String, String> pairs(String variable, Optional<String> text, boolean reversed,
                                             List<String> problems) {
        Map<String, String> pairs = new LinkedHashMap<>();
        text.filter(t -> !t.isBlank()).ifPresent(t -> {
            for (String pair : t.split(",")) {
                int eq = pair.indexOf('=');
                if (eq <= 0 || eq == pair.length() - 1) {
                    problems.add(variable + ": '" + pair.trim() + "' is not " + (reversed ? "name=stage" : "stage=id"));
                } else if (pairs.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim()) != null) {
                    problems.add(variable + " names '" + pair.substring(0, eq).trim() + "' twice");
                }
            }
        });
        return pairs;
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}
