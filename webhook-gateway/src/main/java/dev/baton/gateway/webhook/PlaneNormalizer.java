package dev.baton.gateway.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.events.InboundEventType;
import dev.baton.gateway.event.PlaneWorkItemFacts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a verified Plane webhook into an inbound event. Both payload generations are read:
 *
 * <ul>
 *   <li>v1 (deprecated webhooks): {@code event: "issue"}, {@code action} {@code created|updated|deleted}
 *       (older servers: {@code create|update|delete}), {@code data}, and for updates an
 *       {@code activity{field, new_value, old_value, actor}}; one delivery per changed field; a delete
 *       carries only {@code data.id}. No event id: the dedupe key is a hash of the facts, so a retried
 *       delivery (same body) and a second delivery of the same change get the same key.</li>
 *   <li>v2: {@code event: "workitem.created|updated|deleted"}, {@code event_id} (stable across retries,
 *       the dedupe key), {@code entity_id}, {@code data}, {@code previous_attributes} on updates.</li>
 * </ul>
 *
 * Only creation, a state change and deletion of a work item are published; other fields and other
 * entities are well-formed but unused.
 */
public final class PlaneNormalizer {

    private static final Set<String> WORK_ITEM_ENTITIES = Set.of("workitem", "work_item", "issue");

    private final Envelopes envelopes;
    private final String botUser;
    private final Clock clock;

    public PlaneNormalizer(ObjectMapper json, String botUser, Clock clock) {
        this.envelopes = new Envelopes(json);
        this.botUser = botUser;
        this.clock = clock;
    }

    public Normalized normalize(JsonNode root, String deliveryId) {
        String event = JsonFields.text(root, "event");
        if (event == null) {
            throw WebhookRejected.badRequest("missing-field", "Plane payload has no \"event\"");
        }
        return event.contains(".") ? v2(root, event, deliveryId) : v1(root, event, deliveryId);
    }

    private Normalized v1(JsonNode root, String event, String deliveryId) {
        if (!"issue".equals(event)) {
            return new Normalized.Ignored("event");
        }
        String rawAction = JsonFields.text(root, "action");
        String action = canonicalAction(rawAction);
        if (action == null) {
            return new Normalized.Ignored("action");
        }
        JsonNode data = requireObject(root, "data");
        String id = require(JsonFields.text(data, "id"), "data.id");
        JsonNode activity = JsonFields.at(root, "activity");
        Actor actor = Actor.of(JsonFields.at(activity, "actor"));
        if (actor.is(botUser)) {
            return new Normalized.FromBot();
        }
        String webhookEvent = event + "/" + rawAction;
        switch (action) {
            case "deleted" -> {
                PlaneWorkItemFacts facts = new PlaneWorkItemFacts(id, null, null, null, null, null, null, null, null,
                        null, null, null, actor.id(), actor.name(), "v1", webhookEvent, deliveryId);
                return envelopes.publish(contentKey("deleted", id), id, InboundEventType.PLANE_WORK_ITEM_DELETED,
                        clock.instant(), facts);
            }
            case "created" -> {
                WorkItem item = WorkItem.of(id, data);
                State state = State.of(data);
                PlaneWorkItemFacts facts = new PlaneWorkItemFacts(id, item.key(), item.sequenceId(), item.projectId(),
                        item.projectIdentifier(), item.name(), state.id(), state.name(), state.group(), null, null,
                        null, actor.id(), actor.name(), "v1", webhookEvent, deliveryId);
                return envelopes.publish(contentKey("created", id, JsonFields.text(data, "created_at")),
                        item.aggregateId(), InboundEventType.PLANE_WORK_ITEM_CREATED,
                        JsonFields.instant(data, clock.instant(), "created_at"), facts);
            }
            default -> {
                String field = JsonFields.text(activity, "field");
                if (!"state".equals(field) && !"state_id".equals(field)) {
                    return new Normalized.Ignored("field");
                }
                WorkItem item = WorkItem.of(id, data);
                State state = State.of(data).orElse(JsonFields.text(activity, "new_identifier"),
                        JsonFields.text(activity, "new_value"));
                String oldValue = JsonFields.text(activity, "old_value");
                String oldId = JsonFields.text(activity, "old_identifier");
                PlaneWorkItemFacts facts = new PlaneWorkItemFacts(id, item.key(), item.sequenceId(), item.projectId(),
                        item.projectIdentifier(), item.name(), state.id(), state.name(), state.group(), oldId,
                        oldValue, null, actor.id(), actor.name(), "v1", webhookEvent, deliveryId);
                return envelopes.publish(contentKey("updated", id, field, oldId, oldValue,
                                JsonFields.text(activity, "new_identifier"), JsonFields.text(activity, "new_value"),
                                JsonFields.text(data, "updated_at")),
                        item.aggregateId(), InboundEventType.PLANE_STATE_CHANGED,
                        JsonFields.instant(data, clock.instant(), "updated_at"), facts);
            }
        }
    }

    private Normalized v2(JsonNode root, String event, String deliveryId) {
        int dot = event.indexOf('.');
        if (!WORK_ITEM_ENTITIES.contains(event.substring(0, dot))) {
            return new Normalized.Ignored("event");
        }
        String action = canonicalAction(event.substring(dot + 1));
        if (action == null) {
            return new Normalized.Ignored("action");
        }
        JsonNode data = JsonFields.at(root, "data");
        String id = JsonFields.text(root, "entity_id");
        if (id == null) {
            id = require(JsonFields.text(data, "id"), "entity_id");
        }
        JsonNode actorNode = JsonFields.at(root, "actor");
        Actor actor = Actor.of(actorNode != null ? actorNode : JsonFields.at(root, "activity", "actor"));
        if (actor.is(botUser)) {
            return new Normalized.FromBot();
        }
        String planeEventId = JsonFields.text(root, "event_id");
        Instant occurredAt = JsonFields.instant(root, JsonFields.instant(data, clock.instant(), "updated_at"),
                "timestamp");
        WorkItem item = WorkItem.of(id, data);
        String projectId = item.projectId() != null ? item.projectId() : JsonFields.text(root, "project_id");
        switch (action) {
            case "deleted" -> {
                PlaneWorkItemFacts facts = new PlaneWorkItemFacts(id, item.key(), item.sequenceId(), projectId,
                        item.projectIdentifier(), item.name(), null, null, null, null, null, null, actor.id(),
                        actor.name(), "v2", event, deliveryId);
                return envelopes.publish(v2Key(planeEventId, "deleted", id), item.aggregateId(),
                        InboundEventType.PLANE_WORK_ITEM_DELETED, occurredAt, facts);
            }
            case "created" -> {
                State state = State.of(data);
                PlaneWorkItemFacts facts = new PlaneWorkItemFacts(id, item.key(), item.sequenceId(), projectId,
                        item.projectIdentifier(), item.name(), state.id(), state.name(), state.group(), null, null,
                        null, actor.id(), actor.name(), "v2", event, deliveryId);
                return envelopes.publish(v2Key(planeEventId, "created", id), item.aggregateId(),
                        InboundEventType.PLANE_WORK_ITEM_CREATED, occurredAt, facts);
            }
            default -> {
                JsonNode previous = JsonFields.at(root, "previous_attributes");
                if (previous == null || (!previous.has("state") && !previous.has("state_id"))) {
                    return new Normalized.Ignored("field");
                }
                State state = State.of(data);
                State before = State.of(previous);
                PlaneWorkItemFacts facts = new PlaneWorkItemFacts(id, item.key(), item.sequenceId(), projectId,
                        item.projectIdentifier(), item.name(), state.id(), state.name(), state.group(), before.id(),
                        before.name(), before.group(), actor.id(), actor.name(), "v2", event, deliveryId);
                return envelopes.publish(v2Key(planeEventId, "updated", id, before.id(), state.id(),
                                JsonFields.text(data, "updated_at")), item.aggregateId(),
                        InboundEventType.PLANE_STATE_CHANGED, occurredAt, facts);
            }
        }
    }

    /** Plane's action in either spelling, as past tense; null for anything else. */
    static String canonicalAction(String action) {
        if (action == null) {
            return null;
        }
        return switch (action.toLowerCase(Locale.ROOT)) {
            case "created", "create" -> "created";
            case "updated", "update" -> "updated";
            case "deleted", "delete" -> "deleted";
            default -> null;
        };
    }

    private static String v2Key(String planeEventId, String... facts) {
        return planeEventId != null ? "plane:" + planeEventId : contentKey(facts);
    }

    /** A dedupe key from the facts of a delivery that carries no event id (Plane v1). */
    static String contentKey(String... facts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String fact : facts) {
                // A separator that cannot occur in the text, so ("ab","c") and ("a","bc") differ.
                sha.update((fact == null ? "\u0000null" : fact).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0x1f);
            }
            return "plane-v1:" + HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    private static JsonNode requireObject(JsonNode root, String field) {
        JsonNode node = JsonFields.at(root, field);
        if (node == null || !node.isObject()) {
            throw WebhookRejected.badRequest("missing-field", "Plane payload has no \"" + field + "\" object");
        }
        return node;
    }

    private static String require(String value, String field) {
        if (value == null) {
            throw WebhookRejected.badRequest("missing-field", "Plane payload has no \"" + field + "\"");
        }
        return value;
    }

    /** Who made the change; Plane sends an object (id, display_name, email) or, rarely, just an id. */
    record Actor(String id, String name, String email) {

        static Actor of(JsonNode node) {
            if (node == null) {
                return new Actor(null, null, null);
            }
            if (node.isValueNode()) {
                return new Actor(node.asText(), null, null);
            }
            String name = JsonFields.text(node, "display_name");
            return new Actor(JsonFields.text(node, "id"), name, JsonFields.text(node, "email"));
        }

        boolean is(String user) {
            return user.equalsIgnoreCase(id == null ? "" : id) || user.equalsIgnoreCase(name == null ? "" : name)
                    || user.equalsIgnoreCase(email == null ? "" : email);
        }
    }

    /** A work item's identity: the Plane key {@code IDENT-seq} when both parts are present, else its id. */
    record WorkItem(String id, String key, Integer sequenceId, String projectId, String projectIdentifier,
                    String name) {

        static WorkItem of(String id, JsonNode data) {
            Long sequence = JsonFields.number(data, "sequence_id");
            String identifier = firstNonNull(JsonFields.text(data, "project_detail", "identifier"),
                    JsonFields.text(data, "project", "identifier"), JsonFields.text(data, "project_identifier"));
            String projectId = firstNonNull(JsonFields.text(data, "project_id"), JsonFields.text(data, "project"),
                    JsonFields.text(data, "project", "id"), JsonFields.text(data, "project_detail", "id"));
            String key = identifier != null && sequence != null ? identifier + "-" + sequence : null;
            return new WorkItem(id, key, sequence == null ? null : sequence.intValue(), projectId, identifier,
                    JsonFields.text(data, "name"));
        }

        String aggregateId() {
            return key != null ? key : id;
        }
    }

    /** A state as Plane sends it: an expanded object, a bare id, and/or a {@code state_detail}. */
    record State(String id, String name, String group) {

        static State of(JsonNode holder) {
            JsonNode state = JsonFields.at(holder, "state");
            String id = state != null && state.isObject() ? JsonFields.text(state, "id") : JsonFields.text(holder, "state");
            if (id == null) {
                id = JsonFields.text(holder, "state_id");
            }
            String name = firstNonNull(JsonFields.text(state, "name"), JsonFields.text(holder, "state_detail", "name"));
            String group = firstNonNull(JsonFields.text(state, "group"),
                    JsonFields.text(holder, "state_detail", "group"));
            return new State(id, name, group);
        }

        State orElse(String fallbackId, String fallbackName) {
            return new State(id != null ? id : fallbackId, name != null ? name : fallbackName, group);
        }
    }

    private static String firstNonNull(String... values) {
        for (String value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }
}
