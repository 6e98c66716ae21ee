package dev.baton.runner.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.time.Instant;

/** A job stage-service handed this runner ({@code POST /jobs/pick}). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PickedJob(long id, String taskId, String stage, Instant queuedAt, Instant startedAt) {
}
