package dev.baton.gateway.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.gateway.event.GiteaPullRequestFacts;
import dev.baton.gateway.event.GiteaPushFacts;
import dev.baton.gateway.event.GiteaStatusFacts;
import dev.baton.gateway.event.GiteaWorkflowRunFacts;
import dev.baton.events.InboundEventType;

import java.time.Clock;

/**
 * Turns a verified Gitea webhook into an inbound event. Gitea names the event twice:
 * {@code X-Gitea-Event} (coarse, e.g. {@code pull_request}, {@code pull_request_approved}) and
 * {@code X-Gitea-Event-Type} (fine, e.g. {@code pull_request_sync}, {@code pull_request_review_approved});
 * the fine one wins when present. The dedupe key is {@code X-Gitea-Delivery}: Gitea never retries, and
 * a delivery re-sent by hand carries the same id.
 *
 * <p>The work item comes from the {@link WorkItemRule}: branch name first, then the PR title (or the
 * commit message for pushes and statuses, the run title for workflow runs).
 */
public final class GiteaNormalizer {

    private final Envelopes envelopes;
    private final WorkItemRule rule;
    private final String botUser;
    private final Clock clock;

    public GiteaNormalizer(ObjectMapper json, WorkItemRule rule, String botUser, Clock clock) {
        this.envelopes = new Envelopes(json);
        this.rule = rule;
        this.botUser = botUser;
        this.clock = clock;
    }

    /** {@code eventName} is {@code X-Gitea-Event-Type}, else {@code X-Gitea-Event}; {@code deliveryId} is required. */
    public Normalized normalize(String eventName, String deliveryId, JsonNode root) {
        String eventId = "gitea:" + deliveryId;
        boolean used = eventName.startsWith("pull_request") || eventName.equals("push") || eventName.equals("status")
                || eventName.equals("workflow_run");
        if (!used) {
            return new Normalized.Ignored("event");
        }
        String sender = JsonFields.text(root, "sender", "login");
        if (sender != null && sender.equalsIgnoreCase(botUser)) {
            return new Normalized.FromBot();
        }
        String repo = JsonFields.text(root, "repository", "full_name");
        if (eventName.startsWith("pull_request")) {
            return pullRequest(eventName, eventId, deliveryId, repo, sender, root);
        }
        return switch (eventName) {
            case "push" -> push(eventId, deliveryId, repo, sender, root);
            case "status" -> status(eventId, deliveryId, repo, sender, root);
            default -> workflowRun(eventId, deliveryId, repo, sender, root);
        };
    }

    private Normalized pullRequest(String eventName, String eventId, String deliveryId, String repo, String sender,
                                   JsonNode root) {
        String action = JsonFields.text(root, "action");
        if (action == null) {
            throw missing("action");
        }
        JsonNode pr = JsonFields.at(root, "pull_request");
        boolean merged = JsonFields.flag(pr, "merged");
        String eventType = switch (action) {
            case "opened" -> InboundEventType.GITEA_PR_OPENED;
            case "reopened" -> InboundEventType.GITEA_PR_REOPENED;
            case "synchronized" -> InboundEventType.GITEA_PR_SYNCHRONIZED;
            case "reviewed" -> InboundEventType.GITEA_PR_REVIEWED;
            case "closed" -> merged ? InboundEventType.GITEA_PR_MERGED : InboundEventType.GITEA_PR_CLOSED;
            default -> null;
        };
        if (eventType == null) {
            return new Normalized.Ignored("action");
        }
        if (pr == null || !pr.isObject()) {
            throw missing("pull_request");
        }
        Long number = JsonFields.number(root, "number");
        if (number == null) {
            number = JsonFields.number(pr, "number");
        }
        if (number == null) {
            throw missing("number");
        }
        String headBranch = JsonFields.text(pr, "head", "ref");
        String title = JsonFields.text(pr, "title");
        var workItem = rule.find(headBranch, title);
        if (workItem.isEmpty()) {
            return new Normalized.Unmapped("no-work-item");
        }
        String reviewType = null;
        if ("reviewed".equals(action)) {
            reviewType = JsonFields.text(root, "review", "type");
            if (reviewType == null) {
                reviewType = eventName;
            }
        }
        GiteaPullRequestFacts facts = new GiteaPullRequestFacts(repo, number, JsonFields.text(pr, "html_url"), title,
                headBranch, JsonFields.text(pr, "head", "sha"), JsonFields.text(pr, "base", "ref"), merged,
                JsonFields.text(pr, "merge_commit_sha"), reviewType, sender, deliveryId);
        String timeField = merged ? "merged_at" : "updated_at";
        return envelopes.publish(eventId, workItem.get(), eventType,
                JsonFields.instant(pr, JsonFields.instant(pr, clock.instant(), "updated_at"), timeField), facts);
    }

    private Normalized push(String eventId, String deliveryId, String repo, String sender, JsonNode root) {
        String ref = JsonFields.text(root, "ref");
        if (ref == null) {
            throw missing("ref");
        }
        if (!ref.startsWith("refs/heads/")) {
            return new Normalized.Ignored("tag");
        }
        String branch = ref.substring("refs/heads/".length());
        var workItem = rule.find(branch, JsonFields.text(root, "head_commit", "message"));
        if (workItem.isEmpty()) {
            return new Normalized.Unmapped("no-work-item");
        }
        JsonNode commits = JsonFields.at(root, "commits");
        GiteaPushFacts facts = new GiteaPushFacts(repo, ref, branch, JsonFields.text(root, "before"),
                JsonFields.text(root, "after"), commits != null && commits.isArray() ? commits.size() : 0, sender,
                deliveryId);
        return envelopes.publish(eventId, workItem.get(), InboundEventType.GITEA_PUSHED,
                JsonFields.instant(root, clock.instant(), "head_commit", "timestamp"), facts);
    }

    private Normalized status(String eventId, String deliveryId, String repo, String sender, JsonNode root) {
        String sha = JsonFields.text(root, "sha");
        String state = JsonFields.text(root, "state");
        if (sha == null) {
            throw missing("sha");
        }
        if (state == null) {
            throw missing("state");
        }
        var workItem = rule.find(JsonFields.text(root, "commit", "message"));
        if (workItem.isEmpty()) {
            return new Normalized.Unmapped("no-work-item");
        }
        GiteaStatusFacts facts = new GiteaStatusFacts(repo, sha, state, JsonFields.text(root, "context"),
                JsonFields.text(root, "target_url"), JsonFields.text(root, "description"), sender, deliveryId);
        return envelopes.publish(eventId, workItem.get(), InboundEventType.GITEA_STATUS_REPORTED,
                JsonFields.instant(root, clock.instant(), "updated_at"), facts);
    }

    private Normalized workflowRun(String eventId, String deliveryId, String repo, String sender, JsonNode root) {
        if (!"completed".equals(JsonFields.text(root, "action"))) {
            return new Normalized.Ignored("action");
        }
        JsonNode run = JsonFields.at(root, "workflow_run");
        if (run == null || !run.isObject()) {
            throw missing("workflow_run");
        }
        Long runId = JsonFields.number(run, "id");
        if (runId == null) {
            throw missing("workflow_run.id");
        }
        String headBranch = JsonFields.text(run, "head_branch");
        var workItem = rule.find(headBranch, JsonFields.text(run, "display_title"));
        if (workItem.isEmpty()) {
            return new Normalized.Unmapped("no-work-item");
        }
        GiteaWorkflowRunFacts facts = new GiteaWorkflowRunFacts(repo, runId, JsonFields.text(run, "name"),
                JsonFields.text(run, "status"), JsonFields.text(run, "conclusion"), headBranch,
                JsonFields.text(run, "head_sha"), JsonFields.text(run, "html_url"), sender, deliveryId);
        return envelopes.publish(eventId, workItem.get(), InboundEventType.GITEA_WORKFLOW_RUN_COMPLETED,
                JsonFields.instant(run, clock.instant(), "updated_at"), facts);
    }

    private static WebhookRejected missing(String field) {
        return WebhookRejected.badRequest("missing-field", "Gitea payload has no \"" + field + "\"");
    }
}
