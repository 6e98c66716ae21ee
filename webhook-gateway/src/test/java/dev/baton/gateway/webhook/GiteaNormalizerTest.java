package dev.baton.gateway.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.events.EventEnvelope;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static dev.baton.infra.fake.WebhookPayloads.giteaPullRequest;
import static dev.baton.infra.fake.WebhookPayloads.giteaPush;
import static dev.baton.infra.fake.WebhookPayloads.giteaStatus;
import static dev.baton.infra.fake.WebhookPayloads.giteaWorkflowRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GiteaNormalizerTest {

    private final ObjectMapper json = new ObjectMapper();
    private final GiteaNormalizer normalizer = new GiteaNormalizer(json, new WorkItemRule("[A-Z][A-Z0-9]+-\\d+"),
            "baton-bot", Clock.fixed(Instant.parse("2026-11-28T05:00:00Z"), ZoneOffset.UTC));

    private Normalized normalize(String eventType, String body) throws Exception {
        return normalizer.normalize(eventType, "d-1", json.readTree(body));
    }

    private EventEnvelope published(String eventType, String body) throws Exception {
        return assertInstanceOf(Normalized.Publish.class, normalize(eventType, body)).event();
    }

    @Test
    void mergedPrBecomesGiteaPrMergedWithMergeCommitAndDeliveryKey() throws Exception {
        EventEnvelope event = published("pull_request",
                giteaPullRequest("closed", true, "ORCH-7-lease", "Make transitions exactly-once", "alice"));
        assertEquals("GiteaPrMerged", event.eventType());
        assertEquals("ORCH-7", event.aggregateId());
        assertEquals("gitea:d-1", event.eventId());
        assertEquals("baton/app", event.payload().get("repo"));
        assertEquals(12L, event.payload().get("prNumber"));
        assertEquals("ORCH-7-lease", event.payload().get("headBranch"));
        assertEquals("4f1c2b7a9e0d3c5b6a7f8e9d0c1b2a3f4e5d6c7b", event.payload().get("headSha"));
        assertEquals(true, event.payload().get("merged"));
        assertEquals("9f8e7d6c5b4a39281706f5e4d3c2b1a098765432", event.payload().get("mergeCommitSha"));
        assertEquals(Instant.parse("2026-11-28T03:10:00Z"), event.occurredAt());
    }

    @Test
    void eachPrActionMapsToItsEvent() throws Exception {
        assertEquals("GiteaPrClosed", published("pull_request",
                giteaPullRequest("closed", false, "ORCH-7-lease", "t", "alice")).eventType());
        assertEquals("GiteaPrOpened", published("pull_request",
                giteaPullRequest("opened", false, "ORCH-7-lease", "t", "alice")).eventType());
        assertEquals("GiteaPrReopened", published("pull_request",
                giteaPullRequest("reopened", false, "ORCH-7-lease", "t", "alice")).eventType());
        assertEquals("GiteaPrSynchronized", published("pull_request_sync",
                giteaPullRequest("synchronized", false, "ORCH-7-lease", "t", "alice")).eventType());
        EventEnvelope reviewed = published("pull_request_review_approved",
                giteaPullRequest("reviewed", false, "ORCH-7-lease", "t", "alice"));
        assertEquals("GiteaPrReviewed", reviewed.eventType());
        assertEquals("pull_request_review_approved", reviewed.payload().get("reviewType"));
        assertEquals(new Normalized.Ignored("action"), normalize("pull_request_label",
                giteaPullRequest("label_updated", false, "ORCH-7-lease", "t", "alice")));
    }

    @Test
    void theTitleNamesTheWorkItemWhenTheBranchDoesNot() throws Exception {
        assertEquals("ORCH-21", published("pull_request",
                giteaPullRequest("opened", false, "feature/lease", "ORCH-21: lease", "alice")).aggregateId());
    }

    @Test
    void aPrWithoutAWorkItemIsUnmapped() throws Exception {
        assertEquals(new Normalized.Unmapped("no-work-item"), normalize("pull_request",
                giteaPullRequest("closed", true, "feature/lease", "lease", "alice")));
    }

    @Test
    void theBotsOwnMergeIsDropped() throws Exception {
        assertInstanceOf(Normalized.FromBot.class, normalize("pull_request",
                giteaPullRequest("closed", true, "ORCH-7-lease", "t", "baton-bot")));
    }

    @Test
    void pushStatusAndWorkflowRunArePublished() throws Exception {
        EventEnvelope push = published("push", giteaPush("ORCH-7-lease", "wip", "alice"));
        assertEquals("GiteaPushed", push.eventType());
        assertEquals("ORCH-7", push.aggregateId());
        assertEquals("4f1c2b7a9e0d3c5b6a7f8e9d0c1b2a3f4e5d6c7b", push.payload().get("after"));

        EventEnvelope status = published("status", giteaStatus("4f1c2b7a", "failure", "ci/build", "ORCH-7: lease"));
        assertEquals("GiteaStatusReported", status.eventType());
        assertEquals("ORCH-7", status.aggregateId());
        assertEquals("failure", status.payload().get("state"));
        assertEquals("ci/build", status.payload().get("context"));
        assertEquals("4f1c2b7a", status.payload().get("sha"));

        EventEnvelope run = published("workflow_run", giteaWorkflowRun("completed", "ORCH-7-lease", "success"));
        assertEquals("GiteaWorkflowRunCompleted", run.eventType());
        assertEquals(77L, run.payload().get("runId"));
        assertEquals("success", run.payload().get("conclusion"));
        assertEquals("completed", run.payload().get("status"));
    }

    @Test
    void unusedEventsAndActionsAreIgnored() throws Exception {
        assertEquals(new Normalized.Ignored("event"), normalize("issues", "{\"action\":\"opened\"}"));
        assertEquals(new Normalized.Ignored("action"),
                normalize("workflow_run", giteaWorkflowRun("in_progress", "ORCH-7-lease", null)));
        assertEquals(new Normalized.Ignored("tag"), normalize("push",
                giteaPush("x", "m", "alice").replace("refs/heads/x", "refs/tags/v1.0")));
    }

    @Test
    void aUsedEventMissingWhatItNeedsIsABadRequest() {
        assertEquals(400, assertThrows(WebhookRejected.class,
                () -> normalize("pull_request", "{\"action\":\"closed\",\"number\":3}")).status());
        assertEquals(400, assertThrows(WebhookRejected.class,
                () -> normalize("status", "{\"state\":\"success\"}")).status());
    }
}
