package dev.gengate.ledger;

import io.vertx.core.json.JsonObject;
import dev.gengate.common.Deadline;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The ledger module's event-bus contract: addresses and message types. {@link LedgerVerticle} is the only
 * consumer; every request fails with an {@link dev.gengate.common.AppError} code on a business refusal.
 */
public final class LedgerApi {
  private LedgerApi() {}

  /** {@link Authenticate} → {@link UserView}; fails UNAUTHORIZED for an unknown or revoked key. */
  public static final String AUTHENTICATE = "ledger.authenticate";
  /** {@link CreateUser} → {@link CreatedUser}. */
  public static final String CREATE_USER = "ledger.users.create";
  /** {@link UserId} → {@link UserView}; fails NOT_FOUND. */
  public static final String GET_USER = "ledger.users.get";
  /** {@link SetPremium} → {@link UserView}; fails NOT_FOUND. */
  public static final String SET_PREMIUM = "ledger.users.premium";
  /**
   * {@link AdjustCredits} → {@link LedgerEntry}: applies a signed amount exactly once per idempotency key.
   * Fails INSUFFICIENT_CREDITS (details {@code required}, {@code available}) when it would go below zero,
   * IDEMPOTENCY_KEY_MISMATCH when the key was used with another amount or reason, NOT_FOUND.
   */
  public static final String ADJUST_CREDITS = "ledger.credits.adjust";
  /** {@link ListEntries} → {@link EntryPage}, newest first. */
  public static final String LIST_ENTRIES = "ledger.entries.list";
  /** Any body → {@link LedgerReport}: every violation of the ledger invariants (empty when healthy). */
  public static final String CHECK = "ledger.check";
  /** Any body → "ok" once PostgreSQL answers a query. */
  public static final String PING = "ledger.ping";

  // ---- Generations: the money-moving state machine (see GenerationLedger) ----

  /**
   * {@link CreateGeneration} → {@link CreatedGeneration}: idempotency check, guarded debit of the model's price
   * and an active slot, the pending generation and its CHARGE entry, in one transaction. Fails UNKNOWN_MODEL,
   * INSUFFICIENT_CREDITS ({@code required}, {@code available}), TOO_MANY_ACTIVE_GENERATIONS ({@code maxActive}),
   * DUPLICATE_REQUEST ({@code generationId}), IDEMPOTENCY_KEY_MISMATCH.
   */
  public static final String CREATE_GENERATION = "ledger.generations.create";
  /** {@link GenerationRef} → {@link GenerationView}; fails NOT_FOUND (also for another user's generation). */
  public static final String GET_GENERATION = "ledger.generations.get";
  /** {@link ListGenerations} → {@link GenerationPage}, newest first. */
  public static final String LIST_GENERATIONS = "ledger.generations.list";
  /**
   * {@link GenerationRef} → {@link GenerationView}: pending/processing → cancelled with its refund. Fails
   * NOT_FOUND, GENERATION_NOT_CANCELLABLE ({@code status}).
   */
  public static final String CANCEL_GENERATION = "ledger.generations.cancel";
  /** {@link ImageRef} → {@link StoredImage}; fails NOT_FOUND (unknown image or another user's generation). */
  public static final String GET_IMAGE = "ledger.generations.image";

  // ---- Execution (used by the generation module) ----

  /** {@link Claim} → {@link ClaimedBatch}: pending → processing under a lease, {@code FOR UPDATE SKIP LOCKED}. */
  public static final String CLAIM = "ledger.generations.claim";
  /** {@link Heartbeat} → {@link HeartbeatResult}: extends the leases still held; the others were lost. */
  public static final String HEARTBEAT = "ledger.generations.heartbeat";
  /** {@link Complete} → {@link Transition}: processing → completed (slot released, images stored). */
  public static final String COMPLETE = "ledger.generations.complete";
  /** {@link Fail} → {@link Transition}: processing → failed with its refund. */
  public static final String FAIL = "ledger.generations.fail";
  /** {@link Rescue} → {@link RescueReport}: overdue work failed, expired leases re-queued or failed. */
  public static final String RESCUE = "ledger.generations.rescue";

  /** {@link Release} → {@link Released}: a stopping owner's processing generations back to pending. */
  public static final String RELEASE = "ledger.generations.release";

  // ---- Events the ledger publishes after a commit ----

  /**
   * Published with the generation id (a String) after a generation became pending (created, or re-queued by the
   * rescuer): work is waiting to be claimed.
   */
  public static final String GENERATION_QUEUED = "ledger.generations.queued";

  /** Published with the {@link GenerationView} after the generation reached a terminal status. */
  public static String generationFinished(UUID id) {
    return "ledger.generations.finished." + id;
  }

  public static final List<Class<?>> MESSAGE_TYPES = List.of(
      Authenticate.class, CreateUser.class, CreatedUser.class, UserId.class, SetPremium.class, UserView.class,
      AdjustCredits.class, LedgerEntry.class, ListEntries.class, EntryPage.class, LedgerReport.class,
      CreateGeneration.class, CreatedGeneration.class, GenerationRef.class, GenerationView.class,
      ListGenerations.class, GenerationPage.class, ImageRef.class, StoredImage.class, Claim.class,
      ClaimedBatch.class, Heartbeat.class, HeartbeatResult.class, Complete.class, Fail.class, Transition.class,
      Rescue.class, RescueReport.class, Release.class, Released.class);

  /** SHA-256 of the presented bearer token. */
  public record Authenticate(byte[] keyHash) {}

  /** Nothing is created once {@code deadline} has passed (the sender has given up waiting). */
  public record CreateUser(Long telegramId, long credits, boolean premium, String language, Deadline deadline) {}

  /** The new user and their API key in clear: the only time the key exists outside the caller's hands. */
  public record CreatedUser(UserView user, String apiKey) {}

  public record UserId(UUID id) {}

  public record SetPremium(UUID userId, boolean premium) {}

  public record UserView(
      UUID id, Long telegramId, String language, long credits, boolean premium, int activeGenerations,
      long totalSpentCredits, long totalGenerations, OffsetDateTime lastActiveAt, OffsetDateTime createdAt) {}

  /**
   * {@code idempotencyKey} may be null: then the change is applied every time it is asked for. Nothing is
   * applied once {@code deadline} has passed (the sender has given up waiting).
   */
  public record AdjustCredits(UUID userId, long amount, String reason, String idempotencyKey, Deadline deadline) {}

  public record LedgerEntry(
      long id, UUID userId, String type, long amount, long balanceAfter, UUID generationId, String reason,
      OffsetDateTime createdAt) {}

  /** {@code beforeId} is the cursor: entries with a smaller id; null for the first page. */
  public record ListEntries(UUID userId, int limit, Long beforeId) {}

  public record EntryPage(List<LedgerEntry> items, Long nextCursor) {}

  public record LedgerReport(List<String> violations) {}

  // ---- Generation messages ----

  public static final String PENDING = "pending";
  public static final String PROCESSING = "processing";
  public static final String COMPLETED = "completed";
  public static final String FAILED = "failed";
  public static final String CANCELLED = "cancelled";
  public static final Set<String> STATUSES = Set.of(PENDING, PROCESSING, COMPLETED, FAILED, CANCELLED);

  /**
   * A validated request: {@code model} is a configured model name (the ledger prices it), {@code requestHash}
   * identifies the body for idempotency, {@code idempotencyKey} may be null.
   */
  public record CreateGeneration(UUID userId, String model, String prompt, JsonObject params, String idempotencyKey,
      String requestHash, Deadline deadline) {}

  /** {@code replay}: an Idempotency-Key named an already completed generation; nothing was charged. */
  public record CreatedGeneration(GenerationView generation, boolean replay) {}

  public record GenerationRef(UUID userId, UUID id) {}

  /** One row of {@code generations}; {@code params} and {@code result} must not be modified. */
  public record GenerationView(
      UUID id, UUID userId, String status, String model, String prompt, JsonObject params, long creditsCharged,
      String idempotencyKey, JsonObject result, String errorCode, String errorMessage, int attempts,
      OffsetDateTime createdAt, OffsetDateTime startedAt, OffsetDateTime finishedAt, OffsetDateTime timeoutAt) {

    public boolean terminal() {
      return !status.equals(PENDING) && !status.equals(PROCESSING);
    }
  }

  /** {@code status} may be null (any); the cursor ({@code beforeCreatedAt}, {@code beforeId}) null for page one. */
  public record ListGenerations(UUID userId, String status, int limit, OffsetDateTime beforeCreatedAt,
      UUID beforeId) {}

  /** {@code more}: another page follows the last item. */
  public record GenerationPage(List<GenerationView> items, boolean more) {}

  public record ImageRef(UUID userId, UUID generationId, int n) {}

  public record StoredImage(String contentType, byte[] content) {}

  /** Image bytes to store with a completion, served at {@code /v1/generations/{id}/images/{n}}. */
  public record ImageData(int n, String contentType, byte[] content) {}

  /** Claim up to {@code limit} pending generations for {@code owner} with a lease of {@code leaseMillis}. */
  public record Claim(String owner, int limit, long leaseMillis) {}

  /** {@code remainingMillis}: time left until {@code timeout_at}, by the database clock, at the claim. */
  public record Claimed(GenerationView generation, long remainingMillis) {}

  public record ClaimedBatch(List<Claimed> items) {}

  /** One execution attempt: the generation and its {@code attempts} value when it was claimed. */
  public record Lease(UUID id, int attempt) {}

  public record Heartbeat(String owner, List<Lease> leases, long leaseMillis) {}

  /** The leases that were extended; any other lease asked for is lost (cancelled, re-queued or failed). */
  public record HeartbeatResult(Set<UUID> kept) {}

  /** Completes the attempt {@code lease} held by {@code owner}; {@code result} is the generation's result JSON. */
  public record Complete(Lease lease, String owner, JsonObject result, List<ImageData> images) {}

  /** Fails the attempt {@code lease} held by {@code owner} with a generation error code and message. */
  public record Fail(Lease lease, String owner, String errorCode, String errorMessage) {}

  /** The generation after a transition, or null when its guard matched no row (the outcome was discarded). */
  public record Transition(GenerationView generation) {
    public boolean applied() {
      return generation != null;
    }
  }

  public record Rescue(int maxAttempts, int limit) {}

  public record RescueReport(List<UUID> requeued, List<UUID> failed) {}

  public record Release(String owner) {}

  public record Released(List<UUID> ids) {}
}
