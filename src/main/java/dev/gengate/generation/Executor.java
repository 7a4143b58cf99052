package dev.gengate.generation;

import dev.gengate.common.AppError;
import dev.gengate.common.Bus;
import dev.gengate.common.ErrorCode;
import dev.gengate.common.metrics.GengateMetrics;
import dev.gengate.generation.GenerationApi.CancelExecution;
import dev.gengate.generation.GenerationApi.Execute;
import dev.gengate.ledger.LedgerApi;
import dev.gengate.ledger.LedgerApi.Claim;
import dev.gengate.ledger.LedgerApi.Claimed;
import dev.gengate.ledger.LedgerApi.ClaimedBatch;
import dev.gengate.ledger.LedgerApi.Complete;
import dev.gengate.ledger.LedgerApi.Fail;
import dev.gengate.ledger.LedgerApi.GenerationView;
import dev.gengate.ledger.LedgerApi.Heartbeat;
import dev.gengate.ledger.LedgerApi.HeartbeatResult;
import dev.gengate.ledger.LedgerApi.ImageData;
import dev.gengate.ledger.LedgerApi.Lease;
import dev.gengate.ledger.LedgerApi.Release;
import dev.gengate.ledger.LedgerApi.Released;
import dev.gengate.ledger.LedgerApi.Rescue;
import dev.gengate.ledger.LedgerApi.RescueReport;
import dev.gengate.ledger.LedgerApi.Transition;
import dev.gengate.provider.ProviderCall;
import dev.gengate.provider.ProviderResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes work from the durable queue (the {@code generations} table, through the ledger) and sees every claimed
 * attempt to a recorded end: claim under a lease, heartbeat while the provider runs, call the provider over the
 * bus with a reply timeout equal to the time left until the deadline, then complete, or fail and refund. Also
 * triggers the rescuer. Confined to its verticle's event loop; at most {@code generation.concurrency} attempts
 * at once.
 */
final class Executor {
  private static final Logger LOG = LoggerFactory.getLogger(Executor.class);
  private static final int CLAIM_BATCH = 32;
  private static final int RESCUE_BATCH = 500;

  private final Vertx vertx;
  private final GenerationConfig config;
  private final String owner;
  private final Map<UUID, Job> running = new HashMap<>();
  private final List<Long> timers = new ArrayList<>();
  private boolean accepting;
  private boolean stopped;
  private boolean claiming;
  private boolean claimAgain;

  /** One claimed attempt; {@code deadlineNanos} on this JVM's clock, from the database's time left. */
  private record Job(Lease lease, GenerationView generation, long deadlineNanos) {
    long millisLeft() {
      return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    }
  }

  Executor(Vertx vertx, GenerationConfig config, String owner) {
    this.vertx = vertx;
    this.config = config;
    this.owner = owner;
  }

  /** Starts taking work: periodic polling, heartbeats and rescues, and a first claim now. */
  void start() {
    accepting = true;
    timers.add(vertx.setPeriodic(config.pollInterval().toMillis(), t -> poll()));
    timers.add(vertx.setPeriodic(Math.max(10, config.heartbeatInterval().toMillis()), t -> heartbeat()));
    timers.add(vertx.setPeriodic(config.rescueInterval().toMillis(), t -> rescue()));
    poll();
  }

  /**
   * Stops taking work and hands back the attempts still running (their provider calls are aborted by the
   * caller): they go back to pending at once, for another instance, without counting as an attempt. If even
   * that fails (the database is away), their leases expire and a live instance's rescuer re-queues them.
   */
  Future<Void> stop() {
    accepting = false;
    stopped = true;
    timers.forEach(vertx::cancelTimer);
    return this.<Released>ledger(LedgerApi.RELEASE, new Release(owner))
        .map(released -> {
          if (!released.ids().isEmpty()) {
            LOG.info("handed back {} unfinished generation(s) for another instance", released.ids().size());
          }
          return (Void) null;
        })
        .recover(failure -> {
          LOG.warn("could not hand back unfinished generations ({}); their leases will expire", failure.toString());
          return Future.succeededFuture();
        });
  }

  // ---- claiming ----

  /** Claims as much pending work as there is free capacity; coalesces concurrent wake-ups into one more round. */
  void poll() {
    if (!accepting) {
      return;
    }
    if (claiming) {
      claimAgain = true;
      return;
    }
    int free = config.concurrency() - running.size();
    if (free <= 0) {
      return;
    }
    int limit = Math.min(free, CLAIM_BATCH);
    claiming = true;
    claimAgain = false;
    this.<ClaimedBatch>ledger(LedgerApi.CLAIM, new Claim(owner, limit, config.lease().toMillis()))
        .onComplete(batch -> {
          claiming = false;
          batch.items().forEach(this::run);
          if (claimAgain || batch.items().size() == limit) {
            poll();
          }
        }, failure -> {
          claiming = false;
          LOG.warn("claiming pending generations failed: {}", failure.toString());
        });
  }

  private void run(Claimed claimed) {
    GenerationView generation = claimed.generation();
    Job job = new Job(new Lease(generation.id(), generation.attempts()), generation,
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(claimed.remainingMillis()));
    Job previous = running.put(generation.id(), job);
    if (previous != null) {
      abort(previous); // its lease was lost and the generation re-queued; this is the new attempt
    }
    Future<Void> outcome;
    try {
      outcome = execute(job);
    } catch (RuntimeException e) {
      outcome = fail(job, ErrorCode.INTERNAL_ERROR, "the generation could not be started", e)
          .otherwiseEmpty();
    }
    outcome.onComplete(done -> {
      running.remove(generation.id(), job);
      poll();
    });
  }

  // ---- one attempt ----

  /** Never fails: every outcome is recorded, or left to the rescuer if even that is impossible. */
  private Future<Void> execute(Job job) {
    long left = job.millisLeft();
    if (left <= 0) {
      return fail(job, ErrorCode.TIMEOUT, "the deadline passed before the generation started", null);
    }
    GenerationView g = job.generation();
    Execute request = new Execute(g.id(), job.lease().attempt(), g.model(), g.prompt(), g.params(), left);
    return Bus.<ProviderResult>request(vertx, GenerationApi.EXECUTE, request, Duration.ofMillis(left))
        .compose(
            result -> complete(job, result).recover(failure ->
                fail(job, ErrorCode.INTERNAL_ERROR, "the result could not be stored", failure)),
            failure -> failed(job, failure))
        .recover(failure -> {
          LOG.error("generation {}: its outcome could not be recorded; the rescuer will settle it", g.id(), failure);
          return Future.succeededFuture();
        });
  }

  /** Turns the provider call's failure into the generation's error. */
  private Future<Void> failed(Job job, Throwable failure) {
    if (AppError.isTimeout(failure) || job.millisLeft() <= 0) {
      abort(job);
      return fail(job, ErrorCode.TIMEOUT, "the provider did not answer before the deadline", null);
    }
    AppError error = AppError.from(failure);
    if (ProviderCall.isAborted(error)) {
      // Aborted by whoever ended this attempt (cancel, lost lease, shutdown): the outcome is theirs to record.
      LOG.info("generation {}: provider call of attempt {} aborted", job.lease().id(), job.lease().attempt());
      return Future.succeededFuture();
    }
    if (error.code() == ErrorCode.PROVIDER_ERROR) {
      return fail(job, ErrorCode.PROVIDER_ERROR, error.details().getString("message", "the provider failed"), null);
    }
    return fail(job, ErrorCode.INTERNAL_ERROR, "the generation failed unexpectedly", failure);
  }

  private Future<Void> complete(Job job, ProviderResult result) {
    UUID id = job.lease().id();
    JsonArray images = new JsonArray();
    List<ImageData> stored = new ArrayList<>();
    for (int n = 0; n < result.images().size(); n++) {
      ProviderResult.Image image = result.images().get(n);
      if (image.isStored()) {
        stored.add(new ImageData(n, image.contentType(), image.content()));
        images.add(new JsonObject().put("url", "/v1/generations/" + id + "/images/" + n));
      } else {
        images.add(new JsonObject().put("url", image.url()));
      }
    }
    Complete complete = new Complete(job.lease(), owner, new JsonObject().put("images", images), stored);
    return this.<Transition>ledger(LedgerApi.COMPLETE, complete).map(transition -> {
      if (transition.applied()) {
        LOG.info("generation {} completed: {} image(s)", id, images.size());
      } else {
        LOG.info("generation {}: result discarded, the generation had already ended", id);
      }
      return null;
    });
  }

  /**
   * Fails the attempt and refunds it (one guarded transition in the ledger), with an ERROR line naming the
   * generation. A generation that already ended (cancelled, timed out by the rescuer, re-queued) is not touched.
   */
  private Future<Void> fail(Job job, ErrorCode code, String message, Throwable cause) {
    UUID id = job.lease().id();
    if (stopped) {
      return Future.succeededFuture(); // shutting down: the lease expires and the rescuer re-queues it
    }
    return this.<Transition>ledger(LedgerApi.FAIL, new Fail(job.lease(), owner, code.name(), message))
        .map(transition -> {
          if (transition.applied()) {
            if (cause == null) {
              LOG.error("generation {} failed with {}: {}; refunded {} credit(s)", id, code, message,
                  transition.generation().creditsCharged());
            } else {
              LOG.error("generation {} failed with {}: {}; refunded {} credit(s)", id, code, message,
                  transition.generation().creditsCharged(), cause);
            }
          } else {
            LOG.debug("generation {}: failure {} discarded, the generation had already ended", id, code);
          }
          return null;
        });
  }

  /** Aborts the attempt's provider call, on whichever instance runs it. */
  private void abort(Job job) {
    vertx.eventBus().publish(GenerationApi.CANCEL,
        new CancelExecution(job.lease().id(), job.lease().attempt()));
  }

  // ---- leases and rescue ----

  /** Renews the leases of running attempts; an attempt whose lease is gone is aborted (someone else owns it). */
  private void heartbeat() {
    if (running.isEmpty()) {
      return;
    }
    List<Lease> leases = running.values().stream().map(Job::lease).toList();
    this.<HeartbeatResult>ledger(LedgerApi.HEARTBEAT, new Heartbeat(owner, leases, config.lease().toMillis()))
        .onComplete(result -> {
          for (Lease lease : leases) {
            Job job = running.get(lease.id());
            if (!result.kept().contains(lease.id()) && job != null && job.lease().equals(lease)) {
              LOG.warn("generation {}: lease of attempt {} lost; aborting it", lease.id(), lease.attempt());
              abort(job);
            }
          }
        }, failure -> LOG.warn("renewing {} lease(s) failed: {}", leases.size(), failure.toString()));
  }

  /** Asks the ledger to settle overdue work and expired leases (safe in every instance at once). */
  Future<Void> rescue() {
    return this.<RescueReport>ledger(LedgerApi.RESCUE, new Rescue(config.maxAttempts(), RESCUE_BATCH))
        .map(report -> {
          report.failed().forEach(id -> GengateMetrics.rescuerAction("failed"));
          report.requeued().forEach(id -> GengateMetrics.rescuerAction("requeued"));
          report.failed().forEach(id -> LOG.error("generation {} failed by the rescuer (deadline passed or its worker"
              + " died too often); refunded", id));
          report.requeued().forEach(id -> LOG.warn("generation {}: its worker's lease expired; re-queued", id));
          return (Void) null;
        })
        .recover(failure -> {
          LOG.warn("rescue failed: {}", failure.toString());
          return Future.succeededFuture();
        });
  }

  private <T> Future<T> ledger(String address, Object body) {
    return Bus.request(vertx, address, body, config.busTimeout());
  }
}
