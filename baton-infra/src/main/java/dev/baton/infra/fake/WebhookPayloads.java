package dev.baton.infra.fake;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Webhook bodies in the senders' real wire formats (field names and nesting as Plane's and Gitea's
 * documentation and source show them), with the values a test cares about parameterised. Compact JSON,
 * no trailing newline, so that any strict prefix of a body is not valid JSON. Shared by the gateway's
 * tests, the end-to-end run and {@code ./baton demo}; signed here independently of the gateway's verifier.
 */
public final class WebhookPayloads {

    public static final String PLANE_SECRET = "test-plane-secret";
    public static final String GITEA_SECRET = "test-gitea-secret";
    /** The repository every Gitea payload here is about. */
    public static final String REPO = "baton/app";
    /** The head commit of the pull request in {@link #giteaPullRequest}. */
    public static final String HEAD_SHA = "4f1c2b7a9e0d3c5b6a7f8e9d0c1b2a3f4e5d6c7b";

    private WebhookPayloads() {
    }

    /** Hex HMAC-SHA256 of the body, as Plane ({@code X-Plane-Signature}) and Gitea ({@code X-Gitea-Signature}) send it. */
    public static String sign(String secret, String body) {
        return sign(secret, body.getBytes(StandardCharsets.UTF_8));
    }

    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String uuid() {
        return UUID.randomUUID().toString();
    }

    private static String compact(String json) {
        return json.replaceAll("\\n\\s*", "");
    }

    private static String planeWorkItem(String id, String identifier, int sequence, String stateId, String stateName,
                                        String stateGroup, String updatedAt) {
        return compact("""
                {"id":"%s","name":"Make transitions exactly-once","description_html":"<p>lease + CAS</p>",
                "priority":"high","start_date":null,"target_date":null,"sequence_id":%d,"sort_order":65535.0,
                "completed_at":null,"archived_at":null,"is_draft":false,
                "created_at":"2026-11-27T09:00:00.000000Z","updated_at":"%s",
                "created_by":"2d3a0a32-6f1e-4b8b-9c55-0a8f5f7c2b11","updated_by":"2d3a0a32-6f1e-4b8b-9c55-0a8f5f7c2b11",
                "project":{"id":"8c7f1f40-2f7a-4f51-a6e2-3a6d2b0f9e10","identifier":"%s","name":"Orchestrator"},
                "workspace":"0f2a4c1e-77b0-4c4e-9a1d-5d6e2b7c8a90","parent":null,
                "state":{"id":"%s","name":"%s","color":"#f59e0b","group":"%s"},
                "estimate_point":null,"type":null,"assignees":[],"labels":[]}
                """.formatted(id, sequence, updatedAt, identifier, stateId, stateName, stateGroup));
    }

    private static String planeActor(String displayName) {
        return compact("""
                {"id":"2d3a0a32-6f1e-4b8b-9c55-0a8f5f7c2b11","first_name":"Alice","last_name":"Ng",
                "email":"%s@example.com","avatar":"","display_name":"%s"}
                """.formatted(displayName, displayName));
    }

    /** Plane v1 (deprecated webhooks): one delivery per changed field, here the state. */
    public static String planeV1StateChanged(String id, String identifier, int sequence, String actor,
                                             String updatedAt) {
        return compact("""
                {"event":"issue","action":"updated","webhook_id":"3c2c32ac-82df-48b3-be2a-a3e21dbe8692",
                "workspace_id":"0f2a4c1e-77b0-4c4e-9a1d-5d6e2b7c8a90","data":%s,
                "activity":{"field":"state","new_value":"In Review","old_value":"In Progress","actor":%s,
                "old_identifier":"5b1c7a38-1d0e-4f6b-8f6d-8a0c1b2d3e4f","new_identifier":"e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b"}}
                """.formatted(planeWorkItem(id, identifier, sequence, "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b",
                "In Review", "started", updatedAt), planeActor(actor)));
    }

    /** Plane v1 update of a field Baton does not use (the priority). */
    public static String planeV1PriorityChanged(String id, String identifier, int sequence) {
        return compact("""
                {"event":"issue","action":"update","webhook_id":"3c2c32ac-82df-48b3-be2a-a3e21dbe8692",
                "workspace_id":"0f2a4c1e-77b0-4c4e-9a1d-5d6e2b7c8a90","data":%s,
                "activity":{"field":"priority","new_value":"urgent","old_value":"high","actor":%s,
                "old_identifier":null,"new_identifier":null}}
                """.formatted(planeWorkItem(id, identifier, sequence, "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b",
                "In Review", "started", "2026-11-28T03:00:00.000000Z"), planeActor("alice")));
    }

    /** Plane v1 delete: the data carries only the id. */
    public static String planeV1Deleted(String id) {
        return compact("""
                {"action":"delete","data":{"id":"%s"},"event":"issue",
                "webhook_id":"f1a2fe64-c8d4-4eed-b3ef-498690052c1d","workspace_id":"c467e125-59e3-44ec-b5ee-f9c1e138c611"}
                """.formatted(id));
    }

    /** Plane v2: dot-notation event, stable {@code event_id}, {@code previous_attributes} on updates. */
    public static String planeV2StateChanged(String eventId, String id, String identifier, int sequence,
                                             String actor) {
        return planeV2StateChanged(eventId, id, identifier, sequence, actor, "Done", "completed");
    }

    /** Plane v2: a person moved the work item to the state named {@code stateName} (of {@code stateGroup}). */
    public static String planeV2StateChanged(String eventId, String id, String identifier, int sequence,
                                             String actor, String stateName, String stateGroup) {
        return compact("""
                {"event":"workitem.updated","event_id":"%s","delivery_id":"%s",
                "webhook_id":"3c2c32ac-82df-48b3-be2a-a3e21dbe8692","workspace_id":"0f2a4c1e-77b0-4c4e-9a1d-5d6e2b7c8a90",
                "project_id":"8c7f1f40-2f7a-4f51-a6e2-3a6d2b0f9e10","entity_type":"workitem","entity_id":"%s",
                "actor":%s,"timestamp":"2026-11-28T04:00:00Z","data":%s,
                "previous_attributes":{"state":{"id":"5b1c7a38-1d0e-4f6b-8f6d-8a0c1b2d3e4f","name":"In Progress","group":"started"}}}
                """.formatted(eventId, uuid(), id, planeActor(actor), planeWorkItem(id, identifier, sequence,
                "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d", stateName, stateGroup, "2026-11-28T04:00:00.000000Z")));
    }

    public static String planeV2Created(String eventId, String id, String identifier, int sequence) {
        return compact("""
                {"event":"workitem.created","event_id":"%s","delivery_id":"%s",
                "webhook_id":"3c2c32ac-82df-48b3-be2a-a3e21dbe8692","workspace_id":"0f2a4c1e-77b0-4c4e-9a1d-5d6e2b7c8a90",
                "project_id":"8c7f1f40-2f7a-4f51-a6e2-3a6d2b0f9e10","entity_type":"workitem","entity_id":"%s",
                "actor":%s,"timestamp":"2026-11-28T04:00:00Z","data":%s}
                """.formatted(eventId, uuid(), id, planeActor("alice"), planeWorkItem(id, identifier, sequence,
                "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "Backlog", "backlog", "2026-11-28T04:00:00.000000Z")));
    }

    public static String planeV2Deleted(String eventId, String id) {
        return compact("""
                {"event":"workitem.deleted","event_id":"%s","delivery_id":"%s",
                "webhook_id":"3c2c32ac-82df-48b3-be2a-a3e21dbe8692","workspace_id":"0f2a4c1e-77b0-4c4e-9a1d-5d6e2b7c8a90",
                "project_id":"8c7f1f40-2f7a-4f51-a6e2-3a6d2b0f9e10","entity_type":"workitem","entity_id":"%s",
                "actor":%s,"timestamp":"2026-11-28T04:00:00Z","data":{"id":"%s"}}
                """.formatted(eventId, uuid(), id, planeActor("alice"), id));
    }

    private static String giteaUser(String login) {
        return compact("""
                {"id":2,"login":"%s","login_name":"","full_name":"","email":"%s@noreply.gitea.local",
                "avatar_url":"http://gitea.local:3000/avatars/2","language":"","is_admin":false,
                "created":"2026-01-01T00:00:00Z","restricted":false,"active":true,"prohibit_login":false,
                "visibility":"public","username":"%s"}
                """.formatted(login, login, login));
    }

    private static String giteaRepo() {
        return compact("""
                {"id":1,"owner":%s,"name":"app","full_name":"baton/app","description":"","empty":false,
                "private":true,"fork":false,"html_url":"http://gitea.local:3000/baton/app",
                "clone_url":"http://gitea.local:3000/baton/app.git","default_branch":"main"}
                """.formatted(giteaUser("baton")));
    }

    /** Gitea {@code pull_request} (actions opened, closed, reopened, synchronized, reviewed). */
    public static String giteaPullRequest(String action, boolean merged, String headBranch, String title,
                                          String sender) {
        return giteaPullRequest(12, action, merged, headBranch, title, sender);
    }

    /** The same, for pull request {@code number} of {@link #REPO}. */
    public static String giteaPullRequest(int number, String action, boolean merged, String headBranch, String title,
                                          String sender) {
        String headSha = HEAD_SHA;
        return compact("""
                {"action":"%s","number":%d,"pull_request":{"id":%d,
                "url":"http://gitea.local:3000/baton/app/pulls/%d","number":%d,"user":%s,"title":"%s",
                "body":"Implements the lease.","labels":[],"milestone":null,"assignee":null,"assignees":null,
                "requested_reviewers":null,"state":"%s","draft":false,"is_locked":false,"comments":0,
                "html_url":"http://gitea.local:3000/baton/app/pulls/%d",
                "diff_url":"http://gitea.local:3000/baton/app/pulls/%d.diff",
                "patch_url":"http://gitea.local:3000/baton/app/pulls/%d.patch","mergeable":true,"merged":%s,
                "merged_at":%s,"merge_commit_sha":%s,"merged_by":null,"allow_maintainer_edit":false,
                "base":{"label":"main","ref":"main","sha":"0a1b2c3d4e5f60718293a4b5c6d7e8f901234567","repo_id":1,"repo":%s},
                "head":{"label":"%s","ref":"%s","sha":"%s","repo_id":1,"repo":%s},
                "merge_base":"0a1b2c3d4e5f60718293a4b5c6d7e8f901234567","due_date":null,
                "created_at":"2026-11-27T10:00:00Z","updated_at":"2026-11-28T03:10:00Z","closed_at":null,
                "pin_order":0},"requested_reviewer":null,"repository":%s,"sender":%s,"commit_id":"",
                "review":%s}
                """.formatted(action, number, 100 + number, number, number, giteaUser("alice"), title,
                "closed".equals(action) ? "closed" : "open", number, number, number, merged,
                merged ? "\"2026-11-28T03:10:00Z\"" : "null",
                merged ? "\"9f8e7d6c5b4a39281706f5e4d3c2b1a098765432\"" : "null", giteaRepo(), headBranch,
                headBranch, headSha, giteaRepo(), giteaRepo(), giteaUser(sender),
                "reviewed".equals(action) ? "{\"type\":\"pull_request_review_approved\",\"content\":\"LGTM\"}"
                        : "null"));
    }

    public static String giteaPush(String branch, String message, String sender) {
        String commit = compact("""
                {"id":"4f1c2b7a9e0d3c5b6a7f8e9d0c1b2a3f4e5d6c7b","message":"%s\\n",
                "url":"http://gitea.local:3000/baton/app/commit/4f1c2b7a9e0d3c5b6a7f8e9d0c1b2a3f4e5d6c7b",
                "author":{"name":"Alice","email":"alice@example.com","username":"alice"},
                "committer":{"name":"Alice","email":"alice@example.com","username":"alice"},
                "verification":null,"timestamp":"2026-11-28T03:00:00Z","added":[],"removed":[],"modified":["README.md"]}
                """.formatted(message));
        return compact("""
                {"ref":"refs/heads/%s","before":"0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
                "after":"4f1c2b7a9e0d3c5b6a7f8e9d0c1b2a3f4e5d6c7b",
                "compare_url":"http://gitea.local:3000/baton/app/compare/0a1b2c3...4f1c2b7",
                "commits":[%s],"total_commits":1,"head_commit":%s,"repository":%s,"pusher":%s,"sender":%s}
                """.formatted(branch, commit, commit, giteaRepo(), giteaUser(sender), giteaUser(sender)));
    }

    /** Gitea {@code status}: a commit status, with the commit it is on. */
    public static String giteaStatus(String sha, String state, String context, String message) {
        return compact("""
                {"id":5,"sha":"%s","context":"%s","state":"%s","description":"Build %s",
                "target_url":"http://ci.local/baton/app/12",
                "commit":{"id":"%s","message":"%s\\n","url":"http://gitea.local:3000/baton/app/commit/%s",
                "author":{"name":"Alice","email":"alice@example.com","username":"alice"},
                "committer":{"name":"Alice","email":"alice@example.com","username":"alice"},
                "verification":null,"timestamp":"2026-11-28T03:00:00Z","added":null,"removed":null,"modified":null},
                "created_at":"2026-11-28T03:05:00Z","updated_at":"2026-11-28T03:06:00Z",
                "repository":%s,"sender":%s}
                """.formatted(sha, context, state, state, sha, message, sha, giteaRepo(), giteaUser("woodpecker")));
    }

    /** Gitea {@code workflow_run} (Gitea Actions). */
    public static String giteaWorkflowRun(String action, String headBranch, String conclusion) {
        return compact("""
                {"action":"%s","workflow":{"id":3,"name":"ci.yml","path":".gitea/workflows/ci.yml","state":"active"},
                "workflow_run":{"id":77,"url":"http://gitea.local:3000/api/v1/repos/baton/app/actions/runs/77",
                "html_url":"http://gitea.local:3000/baton/app/actions/runs/77","display_title":"Make transitions exactly-once",
                "path":"ci.yml@refs/heads/%s","event":"push","run_attempt":1,"run_number":12,
                "head_sha":"4f1c2b7a9e0d3c5b6a7f8e9d0c1b2a3f4e5d6c7b","head_branch":"%s","status":"%s",
                "conclusion":%s,"actor":%s,"trigger_actor":%s,"repository":%s,"head_repository":%s,
                "started_at":"2026-11-28T03:00:00Z","completed_at":"2026-11-28T03:04:00Z",
                "created_at":"2026-11-28T03:00:00Z","updated_at":"2026-11-28T03:04:00Z"},
                "repository":%s,"sender":%s}
                """.formatted(action, headBranch, headBranch, "completed".equals(action) ? "completed" : "in_progress",
                conclusion == null ? "null" : "\"" + conclusion + "\"", giteaUser("alice"), giteaUser("alice"),
                giteaRepo(), giteaRepo(), giteaRepo(), giteaUser("alice")));
    }
}
