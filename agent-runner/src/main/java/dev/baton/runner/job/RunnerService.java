package dev.baton.runner.job;

import org.jboss.logging.MDC;
import dev.baton.runner.RunnerMetrics;
import dev.baton.runner.agent.AgentDefinition;
import dev.baton.runner.agent.AgentDefinitions;
import dev.baton.runner.client.GiteaClient;
import dev.baton.runner.client.PickedJob;
import dev.baton.runner.client.PlaneClient;
import dev.baton.runner.client.StageServiceClient;
import dev.baton.runner.client.TaskInfo;
import dev.baton.runner.config.GiteaConfig;
import dev.baton.runner.config.RunnerConfig;
import dev.baton.runner.workspace.Workspaces;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The runner's lifecycle and its slots.
 *
 * <ol>
 *   <li>Start: stop agents a previous process of this runner left running, then {@code POST /runners}
 *       with a fresh boot id (stage-service requeues the jobs the previous boot left without an exit).</li>
 *   <li>Wake-ups — a {@code JobQueued} on {@code baton.transitions}, the poll every {@code BATON_RUNNER_POLL},
 *       a job ending — pick while a slot is free. Picks are serial on one thread; several wake-ups
 *       while a pick runs fold into one more pass. Replicas never share a job: the pick is a
 *       {@code SKIP LOCKED} claim at stage-service.</li>
 *   <li>Each picked job runs on a job thread ({@link JobExecution}); a task seen leaving the job's
 *       stage (a stage change on Kafka, confirmed by stage-service) stops its agent.</li>
 *   <li>SIGTERM: stop picking, give running agents {@code BATON_RUNNER_SHUTDOWN_GRACE}, stop the rest
 *       and wait until they have reported.</li>
 * </ol>
 */
@ApplicationScoped
public class RunnerService {

    private static final Logger LOG = Logger.getLogger(RunnerService.class);
    static final int FINISHED_TAILS = 32;
    static final Duration REPORT_AFTER_STOP = Duration.ofSeconds(30);

    private final RunnerConfig config;
    private final AgentDefinitions agents;
    private final StageServiceClient stageService;
    private final Workspaces workspaces;
    private final JobContext context;
    private final RunnerMetrics metrics;
    private final String bootId = UUID.randomUUID().toString();
    private final Semaphore slots;
    private final ExecutorService picker;
    private final ExecutorService jobs;
    private final ExecutorService checker;
    private final Map<Long, JobExecution> running = new ConcurrentHashMap<>();
    private final Map<Long, String> finishedTails = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
            return size() > FINISHED_TAILS;
        }
    };
    private final AtomicBoolean pickPending = new AtomicBoolean();
    private volatile boolean registered;
    private volatile boolean accepting = true;

    public RunnerService(RunnerConfig config, AgentDefinitions agents, StageServiceClient stageService,
                         GiteaClient gitea, PlaneClient plane, Workspaces workspaces, GiteaConfig giteaConfig,
                         RunnerMetrics metrics) {
        this.config = config;
        this.agents = agents;
        this.stageService = stageService;
        this.workspaces = workspaces;
        this.metrics = metrics;
        this.context = new JobContext(stageService, gitea, plane, workspaces, config, giteaConfig, metrics);
        this.slots = new Semaphore(config.slots());
        this.picker = Executors.newSingleThreadExecutor(daemon("runner-pick"));
        this.jobs = Executors.newFixedThreadPool(config.slots(), daemon("runner-job"));
        this.checker = Executors.newSingleThreadExecutor(daemon("runner-stage-check"));
    }

    void onStart(@Observes StartupEvent started) {
        picker.execute(() -> {
            int stopped = workspaces.stopLeftovers(config.killGrace());
            stageService.register(config.id(), bootId);
            registered = true;
            LOG.infof("runner %s registered (boot %s), serving %s with %d slot(s)%s", config.id(), bootId, stages(),
                    config.slots(), stopped == 0 ? "" : "; stopped " + stopped + " agent(s) of its previous process");
            wake();
        });
    }

    /** The stages this runner serves. */
    public List<String> stages() {
        return config.stages().orElse(new ArrayList<>(agents.stages()));
    }

    public boolean registered() {
        return registered;
    }

    public String bootId() {
        return bootId;
    }

    @Scheduled(every = "${baton.runner.poll}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void poll() {
        wake();
    }

    /** Something may be queued: pick while a slot is free (never blocks the caller). */
    public void wake() {
        if (registered && accepting && pickPending.compareAndSet(false, true)) {
            picker.execute(this::pickWhileFree);
        }
    }

    /**
     * A task moved to {@code stage}: if this runner runs a job of it in another stage, stage-service
     * is asked where the task is NOW (events of earlier moves can arrive after the job was picked)
     * and the agent is stopped if the task has left the job's stage. Never blocks the caller.
     */
    public void taskMoved(String taskId, String stage) {
        for (JobExecution execution : running.values()) {
            if (execution.taskId().equals(taskId) && !execution.stage().equals(stage) && !execution.exited()) {
                checker.execute(() -> stageService.task(taskId).map(TaskInfo::stage)
                        .filter(now -> !now.equals(execution.stage()) && !execution.exited()).ifPresent(now -> {
                            LOG.infof("[%s job %d] the task moved to %s: stopping its agent", taskId, execution.id(), now);
                            execution.stop("task moved to " + now);
                        }));
            }
        }
    }

    /** The last output of a running or recently finished job. */
    public Optional<String> tail(long jobId) {
        JobExecution execution = running.get(jobId);
        if (execution != null) {
            return execution.tail();
        }
        synchronized (finishedTails) {
            return Optional.ofNullable(finishedTails.get(jobId));
        }
    }

    public int runningJobs() {
        return running.size();
    }

    private void pickWhileFree() {
        pickPending.set(false);
        List<String> stages = stages();
        while (accepting && slots.tryAcquire()) {
            Optional<PickedJob> picked = stageService.pick(config.id(), stages);
            if (picked.isEmpty()) {
                slots.release();
                return;
            }
            start(picked.get());
        }
    }

    private void start(PickedJob job) {
        AgentDefinition agent = agents.forStage(job.stage()).orElseThrow(() -> new IllegalStateException(
                "picked a job of stage " + job.stage() + " that no agent is defined for"));
        JobExecution execution = new JobExecution(job, agent, context);
        running.put(job.id(), execution);
        metrics.jobStarted();
        LOG.infof("[%s job %d] picked (%s)", job.taskId(), job.id(), job.stage());
        jobs.execute(() -> {
            String outcome = "abandoned";
            // A pooled thread: the job's lines name its work item, and the next job starts clean.
            MDC.put("workItem", job.taskId());
            try {
                outcome = execution.run();
            } finally {
                execution.tail().ifPresent(tail -> {
                    synchronized (finishedTails) {
                        finishedTails.put(job.id(), tail);
                    }
                });
                running.remove(job.id());
                metrics.jobEnded(outcome);
                slots.release();
                LOG.infof("[%s job %d] %s", job.taskId(), job.id(), outcome);
                MDC.remove("workItem");
                wake();
            }
        });
    }

    /** SIGTERM: no new picks; running agents get the grace, then are stopped and reported. */
    void onStop(@Observes ShutdownEvent shutdown) {
        accepting = false;
        picker.shutdownNow();
        checker.shutdownNow();
        if (!running.isEmpty()) {
            LOG.infof("shutting down: %d job(s) running, waiting up to %s", running.size(), config.shutdownGrace());
            awaitIdle(config.shutdownGrace());
            running.values().forEach(execution -> execution.stop("runner shutting down"));
            awaitIdle(config.killGrace().plus(REPORT_AFTER_STOP));
        }
        jobs.shutdownNow();
    }

    private void awaitIdle(Duration limit) {
        jobs.shutdown();
        try {
            if (!jobs.awaitTermination(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.infof("%d job(s) still running after %s", running.size(), limit);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return work -> {
            Thread thread = new Thread(work, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
