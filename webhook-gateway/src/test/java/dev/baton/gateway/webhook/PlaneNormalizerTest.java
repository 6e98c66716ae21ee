package dev.baton.gateway.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.baton.events.EventEnvelope;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static dev.baton.infra.fake.WebhookPayloads.planeV1Deleted;
import static dev.baton.infra.fake.WebhookPayloads.planeV1PriorityChanged;
import static dev.baton.infra.fake.WebhookPayloads.planeV1StateChanged;
import static dev.baton.infra.fake.WebhookPayloads.planeV2Created;
import static dev.baton.infra.fake.WebhookPayloads.planeV2Deleted;
import static dev.baton.infra.fake.WebhookPayloads.planeV2StateChanged;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlaneNormalizerTest {

    private static final String ID = "a3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());
    private final PlaneNormalizer normalizer = new PlaneNormalizer(json, "baton-bot",
            Clock.fixed(Instant.parse("2026-11-28T05:00:00Z"), ZoneOffset.UTC));

    private Normalized normalize(String body) throws Exception {
        JsonNode root = json.readTree(body);
        return normalizer.normalize(root, "delivery-1");
    }

    private EventEnvelope published(String body) throws Exception {
        return assertInstanceOf(Normalized.Publish.class, normalize(body)).event();
    }

    @Test
    void v1StateChangeBecomesPlaneStateChangedKeyedByTheWorkItemKey() throws Exception {
        EventEnvelope event = published(planeV1StateChanged(ID, "ORCH", 7, "alice", "2026-11-28T03:00:00.000000Z"));
        assertEquals("PlaneStateChanged", event.eventType());
        assertEquals("ORCH-7", event.aggregateId());
        assertTrue(event.eventId().startsWith("plane-v1:"));
        assertEquals("In Review", event.payload().get("stateName"));
        assertEquals("started", event.payload().get("stateGroup"));
        assertEquals("In Progress", event.payload().get("previousStateName"));
        assertEquals("5b1c7a38-1d0e-4f6b-8f6d-8a0c1b2d3e4f", event.payload().get("previousStateId"));
        assertEquals(ID, event.payload().get("workItemId"));
        assertEquals(7, event.payload().get("sequenceId"));
        assertEquals("alice", event.payload().get("actorName"));
        assertEquals(Instant.parse("2026-11-28T03:00:00Z"), event.occurredAt());
    }

    @Test
    void v1ContentKeyIsStableForTheSameChangeAndDiffersForALaterOne() throws Exception {
        String first = published(planeV1StateChanged(ID, "ORCH", 7, "alice", "2026-11-28T03:00:00.000000Z")).eventId();
        String again = published(planeV1StateChanged(ID, "ORCH", 7, "alice", "2026-11-28T03:00:00.000000Z")).eventId();
        String later = published(planeV1StateChanged(ID, "ORCH", 7, "alice", "2026-11-28T03:30:00.000000Z")).eventId();
        assertEquals(first, again);
        assertNotEquals(first, later);
    }

    @Test
    void v1ChangeOfAnUnusedFieldIsIgnored() throws Exception {
        assertEquals(new Normalized.Ignored("field"), normalize(planeV1PriorityChanged(ID, "ORCH", 7)));
    }

    @Test
    void v1DeleteCarriesOnlyTheIdSoTheAggregateIsTheId() throws Exception {
        EventEnvelope event = published(planeV1Deleted(ID));
        assertEquals("PlaneWorkItemDeleted", event.eventType());
        assertEquals(ID, event.aggregateId());
        assertEquals(published(planeV1Deleted(ID)).eventId(), event.eventId());
    }

    @Test
    void v2UsesEventIdAsDedupeKeyAndPreviousAttributesForThePreviousState() throws Exception {
        EventEnvelope event = published(planeV2StateChanged("ev-42", ID, "ORCH", 8, "alice"));
        assertEquals("plane:ev-42", event.eventId());
        assertEquals("PlaneStateChanged", event.eventType());
        assertEquals("ORCH-8", event.aggregateId());
        assertEquals("Done", event.payload().get("stateName"));
        assertEquals("completed", event.payload().get("stateGroup"));
        assertEquals("In Progress", event.payload().get("previousStateName"));
        assertEquals("8c7f1f40-2f7a-4f51-a6e2-3a6d2b0f9e10", event.payload().get("projectId"));
        assertEquals("v2", event.payload().get("generation"));
        assertEquals(Instant.parse("2026-11-28T04:00:00Z"), event.occurredAt());
    }

    @Test
    void v2CreatedAndDeletedArePublished() throws Exception {
        EventEnvelope created = published(planeV2Created("ev-1", ID, "ORCH", 9));
        assertEquals("PlaneWorkItemCreated", created.eventType());
        assertEquals("ORCH-9", created.aggregateId());
        assertEquals("Backlog", created.payload().get("stateName"));
        EventEnvelope deleted = published(planeV2Deleted("ev-2", ID));
        assertEquals("PlaneWorkItemDeleted", deleted.eventType());
        assertEquals(ID, deleted.aggregateId());
        assertEquals("plane:ev-2", deleted.eventId());
    }

    @Test
    void v2UpdateWithoutAStateChangeIsIgnored() throws Exception {
        String body = planeV2StateChanged("ev-3", ID, "ORCH", 8, "alice")
                .replace("\"previous_attributes\":{\"state\":", "\"previous_attributes\":{\"priority\":");
        assertEquals(new Normalized.Ignored("field"), normalize(body));
    }

    @Test
    void changesByTheBotAreDroppedInBothGenerations() throws Exception {
        assertInstanceOf(Normalized.FromBot.class, normalize(planeV2StateChanged("ev-4", ID, "ORCH", 8, "baton-bot")));
        assertInstanceOf(Normalized.FromBot.class,
                normalize(planeV1StateChanged(ID, "ORCH", 7, "Baton-Bot", "2026-11-28T03:00:00.000000Z")));
    }

    @Test
    void otherEntitiesAreIgnored() throws Exception {
        assertEquals(new Normalized.Ignored("event"), normalize("{\"event\":\"project\",\"action\":\"update\",\"data\":{}}"));
        assertEquals(new Normalized.Ignored("event"), normalize("{\"event\":\"cycle.created\",\"event_id\":\"x\"}"));
        assertEquals(new Normalized.Ignored("action"), normalize("{\"event\":\"issue\",\"action\":\"archived\",\"data\":{}}"));
    }

    @Test
    void aUsedEventWithoutItsIdIsABadRequest() {
        WebhookRejected rejected = assertThrows(WebhookRejected.class,
                () -> normalize("{\"event\":\"issue\",\"action\":\"created\",\"data\":{\"name\":\"x\"}}"));
        assertEquals(400, rejected.status());
        assertEquals(400, assertThrows(WebhookRejected.class, () -> normalize("{\"action\":\"created\"}")).status());
    }
}
