package dev.baton.reaper.support;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Running jobs in the wire shape of {@code JobRepository.RunningJob}, for {@code GET /jobs?status=running}. */
public final class Jobs {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Jobs() {
    }

    /** A running job of {@code stage} on a task still in that stage, no exit, runner not restarted. */
    public static Map<String, Object> running(long id, String taskId, String stage, long ageS) {
        Map<String, Object> job = new HashMap<>();
        job.put("id", id);
        job.put("taskId", taskId);
        job.put("stage", stage);
        job.put("taskStage", stage);
        job.put("runnerId", "runner-1");
        job.put("runnerBootId", "boot-a");
        job.put("runnerCurrentBootId", "boot-a");
        job.put("runnerRestarted", false);
        job.put("ageS", ageS);
        job.put("exitCode", null);
        job.put("exitRecorded", false);
        job.put("finishedAgeS", null);
        job.put("lease", null);
        return job;
    }

    public static Map<String, Object> exited(long id, String taskId, String stage, int code, long finishedAgeS) {
        Map<String, Object> job = running(id, taskId, stage, finishedAgeS + 600);
        job.put("exitCode", code);
        job.put("exitRecorded", true);
        job.put("finishedAgeS", finishedAgeS);
        return job;
    }

    public static Map<String, Object> restarted(long id, String taskId, String stage) {
        Map<String, Object> job = running(id, taskId, stage, 900);
        job.put("runnerCurrentBootId", "boot-b");
        job.put("runnerRestarted", true);
        return job;
    }

    public static Map<String, Object> withLease(Map<String, Object> job, boolean live) {
        job.put("lease", Map.of("token", 41, "ownerActor", "monitor", "ownerInstance",
                "6f1c2d3e-0000-4000-8000-000000000001", "from", job.get("stage"), "to", "review", "live", live));
        return job;
    }

    @SafeVarargs
    public static String list(Map<String, Object>... jobs) {
        try {
            return JSON.writeValueAsString(List.of(jobs));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
