package dev.baton.deploy;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small kustomize renderer for the subset Baton's overlays use; exact for that subset, and
 * refusing (with the file named) anything outside it rather than rendering it approximately.
 *
 * <ol>
 *   <li>{@code resources}: YAML files (every document) and directories holding a
 *       {@code kustomization.yaml}, rendered recursively, in order.</li>
 *   <li>{@code patches}: entries with only {@code path}; each file is one strategic-merge patch
 *       whose target is found by kind and name (exactly one match). Maps merge; {@code null}
 *       deletes; lists of the built-in kinds merge by their Kubernetes merge key
 *       ({@code containers}, {@code env}, {@code volumes} by name, {@code volumeMounts} by mount
 *       path, {@code ports} by port); every other list, and every list of a custom resource, is
 *       replaced. {@code $patch} directives are refused.</li>
 *   <li>{@code replicas}: sets {@code spec.replicas} of the named Deployment.</li>
 *   <li>{@code images}: rewrites {@code newName}/{@code newTag} of every container whose image
 *       name (tag removed) equals {@code name}.</li>
 *   <li>{@code namespace}: sets {@code metadata.namespace} of every resource.</li>
 * </ol>
 * Every {@code replicas}, {@code images} and patch entry must match something: an entry that
 * matches nothing is drift, not a no-op.
 */
final class Kustomize {

    /** One rendered resource and the file it came from (for assertion messages). */
    record Resource(Path source, Map<String, Object> doc) {

        String kind() {
            return (String) doc.get("kind");
        }

        String name() {
            return (String) metadata().get("name");
        }

        String apiVersion() {
            return (String) doc.get("apiVersion");
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> metadata() {
            return (Map<String, Object>) doc.computeIfAbsent("metadata", k -> new LinkedHashMap<>());
        }
    }

    static final YAMLMapper YAML = new YAMLMapper();

    private static final Set<String> KEYS =
            Set.of("apiVersion", "kind", "namespace", "resources", "patches", "replicas", "images");
    private static final Map<String, String> MERGE_KEYS = Map.of(
            "containers", "name", "initContainers", "name", "env", "name", "volumes", "name",
            "volumeMounts", "mountPath");

    private Kustomize() {
    }

    static List<Resource> render(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + ": no kustomization.yaml");
        }
        Map<String, Object> k = readOne(file);
        for (String key : k.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(file + ": kustomize field '" + key
                        + "' is outside the subset the test renders exactly " + KEYS);
            }
        }
        List<Resource> out = new ArrayList<>();
        for (String entry : strings(k, "resources", file)) {
            Path p = dir.resolve(entry).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(render(p));
            } else if (Files.isRegularFile(p)) {
                for (Map<String, Object> doc : readAll(p)) {
                    out.add(new Resource(p, doc));
                }
            } else {
                throw new IllegalArgumentException(file + ": resource '" + entry + "' does not exist");
            }
        }
        for (Map<String, Object> entry : maps(k, "patches", file)) {
            if (!entry.keySet().equals(Set.of("path"))) {
                throw new IllegalArgumentException(file + ": a patch must have only 'path', found " + entry.keySet());
            }
            Path p = dir.resolve((String) entry.get("path")).normalize();
            List<Map<String, Object>> docs = readAll(p);
            if (docs.size() != 1) {
                throw new IllegalArgumentException(p + ": a patch file must hold exactly one document");
            }
            applyPatch(out, p, docs.get(0));
        }
        for (Map<String, Object> entry : maps(k, "replicas", file)) {
            List<Resource> targets = out.stream()
                    .filter(r -> "Deployment".equals(r.kind()) && entry.get("name").equals(r.name())).toList();
            if (targets.size() != 1) {
                throw new IllegalArgumentException(file + ": replicas entry " + entry + " matches "
                        + targets.size() + " Deployments, expected 1");
            }
            spec(targets.get(0)).put("replicas", entry.get("count"));
        }
        for (Map<String, Object> entry : maps(k, "images", file)) {
            if (setImages(out, entry) == 0) {
                throw new IllegalArgumentException(file + ": images entry " + entry.get("name") + " matches no container");
            }
        }
        Object namespace = k.get("namespace");
        if (namespace != null) {
            out.forEach(r -> r.metadata().put("namespace", namespace));
        }
        return out;
    }

    static List<Map<String, Object>> readAll(Path file) {
        try (MappingIterator<Map<String, Object>> it = YAML.readerFor(Map.class).readValues(file.toFile())) {
            List<Map<String, Object>> docs = new ArrayList<>();
            while (it.hasNextValue()) {
                Map<String, Object> doc = it.nextValue();
                if (doc != null && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": not valid YAML", e);
        }
    }

    private static Map<String, Object> readOne(Path file) {
        List<Map<String, Object>> docs = readAll(file);
        if (docs.size() != 1) {
            throw new IllegalArgumentException(file + ": expected one YAML document");
        }
        return docs.get(0);
    }

    private static void applyPatch(List<Resource> resources, Path file, Map<String, Object> patch) {
        @SuppressWarnings("unchecked")
        Map<String, Object> meta = (Map<String, Object>) patch.get("metadata");
        String kind = (String) patch.get("kind");
        String name = meta == null ? null : (String) meta.get("name");
        List<Resource> targets = resources.stream()
                .filter(r -> r.kind().equals(kind) && r.name().equals(name)).toList();
        if (targets.size() != 1) {
            throw new IllegalArgumentException(file + ": patch for " + kind + " " + name + " matches "
                    + targets.size() + " resources, expected 1");
        }
        Resource target = targets.get(0);
        if (!target.apiVersion().equals(patch.get("apiVersion"))) {
            throw new IllegalArgumentException(file + ": patch apiVersion " + patch.get("apiVersion")
                    + " differs from the target's " + target.apiVersion());
        }
        merge(target.doc(), patch, builtIn(target.apiVersion()), file);
    }

    /** Built-in kinds have merge keys; for custom resources kustomize replaces lists. */
    private static boolean builtIn(String apiVersion) {
        if (!apiVersion.contains("/")) {
            return true;
        }
        String group = apiVersion.substring(0, apiVersion.indexOf('/'));
        return !group.contains(".") || group.endsWith(".k8s.io");
    }

    @SuppressWarnings("unchecked")
    static void merge(Map<String, Object> base, Map<String, Object> patch, boolean builtIn, Path file) {
        for (Map.Entry<String, Object> e : patch.entrySet()) {
            String key = e.getKey();
            Object value = e.getValue();
            if (key.startsWith("$")) {
                throw new IllegalArgumentException(file + ": patch directive '" + key + "' is not supported");
            }
            Object current = base.get(key);
            if (value == null) {
                base.remove(key);
            } else if (value instanceof Map<?, ?> pm && current instanceof Map<?, ?> cm) {
                merge((Map<String, Object>) cm, (Map<String, Object>) pm, builtIn, file);
            } else if (value instanceof List<?> pl && current instanceof List<?> cl && builtIn && mergeKey(key, pl) != null) {
                mergeList((List<Object>) cl, (List<Object>) pl, mergeKey(key, pl), file);
            } else {
                base.put(key, value);
            }
        }
    }

    private static String mergeKey(String field, List<?> items) {
        if (MERGE_KEYS.containsKey(field)) {
            return MERGE_KEYS.get(field);
        }
        if ("ports".equals(field) && !items.isEmpty() && items.get(0) instanceof Map<?, ?> first) {
            return first.containsKey("containerPort") ? "containerPort" : "port";
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static void mergeList(List<Object> base, List<Object> patch, String key, Path file) {
        for (Object item : patch) {
            if (!(item instanceof Map<?, ?> pm) || pm.get(key) == null) {
                throw new IllegalArgumentException(file + ": list item without merge key '" + key + "': " + item);
            }
            Map<String, Object> match = base.stream()
                    .filter(b -> b instanceof Map<?, ?> bm && pm.get(key).equals(bm.get(key)))
                    .map(b -> (Map<String, Object>) b).findFirst().orElse(null);
            if (match == null) {
                base.add(item);
            } else {
                merge(match, (Map<String, Object>) pm, true, file);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static int setImages(List<Resource> resources, Map<String, Object> entry) {
        int matched = 0;
        for (Resource r : resources) {
            Map<String, Object> template = (Map<String, Object>) spec(r).get("template");
            if (template == null || !(template.get("spec") instanceof Map<?, ?> podSpec)) {
                continue;
            }
            for (String field : List.of("containers", "initContainers")) {
                for (Object c : (List<Object>) ((Map<String, Object>) podSpec).getOrDefault(field, List.of())) {
                    Map<String, Object> container = (Map<String, Object>) c;
                    String image = (String) container.get("image");
                    if (!imageName(image).equals(entry.get("name"))) {
                        continue;
                    }
                    String newName = (String) entry.getOrDefault("newName", imageName(image));
                    String tag = entry.containsKey("newTag") ? String.valueOf(entry.get("newTag")) : imageTag(image);
                    container.put("image", tag == null ? newName : newName + ":" + tag);
                    matched++;
                }
            }
        }
        return matched;
    }

    /** The image reference without tag or digest ({@code registry:5000/a/b:1} → {@code registry:5000/a/b}). */
    static String imageName(String image) {
        String noDigest = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int colon = noDigest.lastIndexOf(':');
        return colon > noDigest.lastIndexOf('/') ? noDigest.substring(0, colon) : noDigest;
    }

    static String imageTag(String image) {
        String name = imageName(image);
        return image.length() > name.length() && image.charAt(name.length()) == ':'
                ? image.substring(name.length() + 1) : null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(Resource r) {
        return (Map<String, Object>) r.doc().computeIfAbsent("spec", s -> new LinkedHashMap<>());
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Map<String, Object> k, String key, Path file) {
        Object v = k.getOrDefault(key, List.of());
        if (!(v instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
            throw new IllegalArgumentException(file + ": '" + key + "' must be a list of strings");
        }
        return (List<String>) list;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Map<String, Object> k, String key, Path file) {
        Object v = k.getOrDefault(key, List.of());
        if (!(v instanceof List<?> list) || !list.stream().allMatch(Map.class::isInstance)) {
            throw new IllegalArgumentException(file + ": '" + key + "' must be a list of maps");
        }
        return (List<Map<String, Object>>) list;
    }
}
