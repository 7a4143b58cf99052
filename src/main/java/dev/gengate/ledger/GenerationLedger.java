package dev.gengate.ledger;

import dev.gengate.common.AppError;
import dev.gengate.common.ErrorCode;
import dev.gengate.common.metrics.GengateMetrics;
import dev.gengate.ledger.LedgerApi.Claim;
import dev.gengate.ledger.LedgerApi.Claimed;
import dev.gengate.ledger.LedgerApi.ClaimedBatch;
import dev.gengate.ledger.LedgerApi.Complete;
import dev.gengate.ledger.LedgerApi.Fail;
import dev.gengate.ledger.LedgerApi.GenerationRef;
import dev.gengate.ledger.LedgerApi.GenerationView;
import dev.gengate.ledger.LedgerApi.Heartbeat;
import dev.gengate.ledger.LedgerApi.HeartbeatResult;
import dev.gengate.ledger.LedgerApi.Lease;
import dev.gengate.ledger.LedgerApi.Release;
import dev.gengate.ledger.LedgerApi.Released;
import dev.gengate.ledger.LedgerApi.Rescue;
import dev.gengate.ledger.LedgerApi.RescueReport;
import dev.gengate.ledger.LedgerApi.Transition;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * Every transition of an existing generation (creation is {@link GenerationCreation}): claim, heartbeat,
 * complete, fail, cancel, rescue and hand-back, each one {@code pool.withTransaction}:
 * a guarded UPDATE first (no row = the transition lost a race and changes nothing), then the money movement,
 * then the {@link TransitionHooks} call for that transition, all committed together. After a commit the
 * ledger publishes what happened: {@link LedgerApi#GENERATION_QUEUED} and
 * {@link LedgerApi#generationFinished(UUID)}.
 */
final class GenerationLedger {
  static final String CANCELLED_CODE = "CANCELLED";

  private final Vertx vertx;
  private final Pool pool;
  private final TransitionHooks hooks;

  GenerationLedger(Vertx vertx, Pool pool, TransitionHooks hooks) {
    this.vertx = vertx;
    this.pool = pool;
    this.hooks = hooks;
  }

  // ---- execution: claim, heartbeat, complete, fail ----

  /** pending → processing. Hook point: {@link TransitionHooks#started}, once per claimed generation. */
  Future<ClaimedBatch> claim(Claim claim) {
    return pool.withTransaction(conn -> conn.preparedQuery(GenerationSql.CLAIM)
        .execute(Tuple.of(claim.owner(), claim.leaseMillis(), claim.limit()))
        .compose(rows -> {
          List<Claimed> claimed = new ArrayList<>();
          Future<Void> hooked = Future.succeededFuture();
          for (Row row : rows) {
            GenerationView generation = Rows.generation(row);
            claimed.add(new Claimed(generation, row.getLong("remaining_ms")));
            hooked = hooked.compose(v -> hooks.started(conn, generation));
          }
          return hooked.map(new ClaimedBatch(claimed));
        }))
        .onSuccess(batch -> {
          if (!batch.items().isEmpty()) {
            hooks.committed();
          }
        });
  }

  Future<HeartbeatResult> heartbeat(Heartbeat heartbeat) {
    if (heartbeat.leases().isEmpty()) {
      return Future.succeededFuture(new HeartbeatResult(Set.of()));
    }
    UUID[] ids = heartbeat.leases().stream().map(Lease::id).toArray(UUID[]::new);
    Integer[] attempts = heartbeat.leases().stream().map(Lease::attempt).toArray(Integer[]::new);
    return pool.preparedQuery(GenerationSql.HEARTBEAT)
        .execute(Tuple.of(ids, attempts, heartbeat.leaseMillis(), heartbeat.owner()))
        .map(rows -> {
          Set<UUID> kept = new HashSet<>();
          rows.forEach(row -> kept.add(row.getUUID("id")));
          return new HeartbeatResult(kept);
        });
  }

  /**
   * processing → completed for the attempt holding the lease: releases the active slot (the charge stands) and
   * stores the images. Hook point: {@link TransitionHooks#completed}.
   */
  Future<Transition> complete(Complete complete) {
    Lease lease = complete.lease();
    return pool.withTransaction(conn -> conn.preparedQuery(GenerationSql.COMPLETE)
            .execute(Tuple.of(lease.id(), complete.owner(), lease.attempt(), complete.result()))
            .compose(rows -> {
              if (rows.size() == 0) {
                return Future.<GenerationView>succeededFuture();
              }
              GenerationView generation = Rows.generation(rows.iterator().next());
              return conn.preparedQuery(GenerationSql.RELEASE_SLOT).execute(Tuple.of(generation.userId()))
                  .compose(v -> storeImages(conn, complete))
                  .compose(v -> hooks.completed(conn, generation))
                  .map(generation);
            }))
        .map(this::announce);
  }

  private Future<Void> storeImages(SqlConnection conn, Complete complete) {
    if (complete.images().isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> batch = complete.images().stream()
        .map(image -> Tuple.of(complete.lease().id(), image.n(), image.contentType(), Buffer.buffer(image.content())))
        .toList();
    return conn.preparedQuery(GenerationSql.INSERT_IMAGE).executeBatch(batch).mapEmpty();
  }

  /** The executor fails its own attempt. Hook point: {@link TransitionHooks#failed}. */
  Future<Transition> fail(Fail fail) {
    Tuple params = Tuple.of(fail.lease().id(), LedgerApi.FAILED, fail.errorCode(), fail.errorMessage(),
        fail.owner(), fail.lease().attempt());
    return terminate(GenerationSql.FAIL_OWNED, params, "refund: generation failed (" + fail.errorCode() + ")",
        hooks::failed);
  }

  /** The owner cancels. Hook point: {@link TransitionHooks#cancelled}. */
  Future<GenerationView> cancel(GenerationRef ref) {
    Tuple params = Tuple.of(ref.id(), LedgerApi.CANCELLED, CANCELLED_CODE, "cancelled by the user",
        ref.userId());
    return terminate(GenerationSql.CANCEL, params, "refund: generation cancelled", hooks::cancelled)
        .compose(transition -> transition.applied()
            ? Future.succeededFuture(transition.generation())
            : notCancellable(ref));
  }

  private Future<GenerationView> notCancellable(GenerationRef ref) {
    return pool.preparedQuery(GenerationSql.FIND_FOR_USER).execute(Tuple.of(ref.id(), ref.userId()))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(new AppError(ErrorCode.NOT_FOUND))
            : Future.failedFuture(AppError.of(ErrorCode.GENERATION_NOT_CANCELLABLE, "status",
                rows.iterator().next().getString("status"))));
  }

  // ---- the rescuer ----

  /**
   * Overdue pending/processing generations fail with TIMEOUT; processing ones whose lease expired go back to
   * pending while attempts remain, else fail. Each is its own guarded transition, so every instance may rescue
   * at once: a row another rescuer (or the executor) already moved is simply not touched again.
   */
  Future<RescueReport> rescue(Rescue rescue) {
    return pool.preparedQuery(GenerationSql.FIND_STRANDED).execute(Tuple.of(rescue.limit())).compose(rows -> {
      List<UUID> requeued = new ArrayList<>();
      List<UUID> failed = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (Row row : rows) {
        UUID id = row.getUUID("id");
        int attempts = row.getInteger("attempts");
        boolean overdue = row.getBoolean("overdue");
        chain = chain.compose(v -> rescueOne(id, attempts, overdue, rescue.maxAttempts()).map(outcome -> {
          if (outcome == Outcome.REQUEUED) {
            requeued.add(id);
          } else if (outcome == Outcome.FAILED) {
            failed.add(id);
          }
          return null;
        }));
      }
      return chain.map(v -> new RescueReport(requeued, failed));
    });
  }

  private enum Outcome { REQUEUED, FAILED, UNTOUCHED }

  private Future<Outcome> rescueOne(UUID id, int attempts, boolean overdue, int maxAttempts) {
    if (overdue) {
      Tuple params = Tuple.of(id, LedgerApi.FAILED, ErrorCode.TIMEOUT.name(),
          "the generation did not finish before its deadline");
      return terminate(GenerationSql.FAIL_OVERDUE, params, "refund: generation failed (TIMEOUT)", hooks::failed)
          .map(t -> t.applied() ? Outcome.FAILED : Outcome.UNTOUCHED);
    }
    if (attempts < maxAttempts) {
      return pool.preparedQuery(GenerationSql.REQUEUE).execute(Tuple.of(id, maxAttempts)).map(rows -> {
        if (rows.size() == 0) {
          return Outcome.UNTOUCHED;
        }
        vertx.eventBus().publish(LedgerApi.GENERATION_QUEUED, id.toString());
        return Outcome.REQUEUED;
      });
    }
    Tuple params = Tuple.of(id, LedgerApi.FAILED, ErrorCode.INTERNAL_ERROR.name(),
        "execution was interrupted " + attempts + " times", maxAttempts);
    return terminate(GenerationSql.FAIL_LEASE_EXPIRED, params, "refund: generation failed (INTERNAL_ERROR)",
        hooks::failed)
        .map(t -> t.applied() ? Outcome.FAILED : Outcome.UNTOUCHED);
  }

  /** A graceful stop: the owner's running attempts go back to the queue for another instance, at once. */
  Future<Released> release(Release release) {
    return pool.preparedQuery(GenerationSql.RELEASE).execute(Tuple.of(release.owner())).map(rows -> {
      List<UUID> ids = new ArrayList<>();
      rows.forEach(row -> ids.add(row.getUUID("id")));
      ids.forEach(id -> vertx.eventBus().publish(LedgerApi.GENERATION_QUEUED, id.toString()));
      return new Released(ids);
    });
  }

  // ---- shared: terminal transition with refund ----

  /**
   * Runs a guarded terminal UPDATE; when it matched, refunds the charge, frees the active slot, writes the
   * REFUND entry and calls the hook, all in one transaction. A second refund is impossible twice over: the guard
   * no longer matches a terminal row, and {@code ledger_one_refund_per_generation} would refuse the entry.
   */
  private Future<Transition> terminate(String guardedUpdate, Tuple params, String reason,
      BiFunction<SqlConnection, GenerationView, Future<Void>> hook) {
    return pool.withTransaction(conn -> conn.preparedQuery(guardedUpdate).execute(params)
            .compose(rows -> {
              if (rows.size() == 0) {
                return Future.<GenerationView>succeededFuture();
              }
              GenerationView generation = Rows.generation(rows.iterator().next());
              return refund(conn, generation, reason)
                  .compose(v -> hook.apply(conn, generation))
                  .map(generation);
            }))
        .map(this::announce);
  }

  private Future<Void> refund(SqlConnection conn, GenerationView generation, String reason) {
    long amount = generation.creditsCharged();
    return conn.preparedQuery(GenerationSql.REFUND_USER).execute(Tuple.of(generation.userId(), amount))
        .compose(rows -> conn.preparedQuery(GenerationSql.INSERT_REFUND).execute(Tuple.of(generation.userId(),
            generation.id(), amount, single(rows).getLong("credits"), reason)))
        .mapEmpty();
  }

  /** After the commit: tells waiters (e.g. {@code Prefer: wait}) that the generation ended. */
  private Transition announce(GenerationView generation) {
    if (generation != null) {
      GengateMetrics.generationFinished(generation.model(), generation.status());
      if (!generation.status().equals(LedgerApi.COMPLETED)) {
        GengateMetrics.creditsRefunded(generation.model(), generation.creditsCharged());
      }
      hooks.committed();
      vertx.eventBus().publish(LedgerApi.generationFinished(generation.id()), generation);
    }
    return new Transition(generation);
  }

  private static Row single(RowSet<Row> rows) {
    if (rows.size() != 1) {
      throw new IllegalStateException("expected one row, got " + rows.size());
    }
    return rows.iterator().next();
  }
}
