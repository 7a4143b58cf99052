package dev.gengate.ledger;

import java.time.OffsetDateTime;
import java.util.List;
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

  public static final List<Class<?>> MESSAGE_TYPES = List.of(
      Authenticate.class, CreateUser.class, CreatedUser.class, UserId.class, SetPremium.class, UserView.class,
      AdjustCredits.class, LedgerEntry.class, ListEntries.class, EntryPage.class, LedgerReport.class);

  /** SHA-256 of the presented bearer token. */
  public record Authenticate(byte[] keyHash) {}

  public record CreateUser(Long telegramId, long credits, boolean premium, String language) {}

  /** The new user and their API key in clear: the only time the key exists outside the caller's hands. */
  public record CreatedUser(UserView user, String apiKey) {}

  public record UserId(UUID id) {}

  public record SetPremium(UUID userId, boolean premium) {}

  public record UserView(
      UUID id, Long telegramId, String language, long credits, boolean premium, int activeGenerations,
      long totalSpentCredits, long totalGenerations, OffsetDateTime lastActiveAt, OffsetDateTime createdAt) {}

  /** {@code idempotencyKey} may be null: then the change is applied every time it is asked for. */
  public record AdjustCredits(UUID userId, long amount, String reason, String idempotencyKey) {}

  public record LedgerEntry(
      long id, UUID userId, String type, long amount, long balanceAfter, UUID generationId, String reason,
      OffsetDateTime createdAt) {}

  /** {@code beforeId} is the cursor: entries with a smaller id; null for the first page. */
  public record ListEntries(UUID userId, int limit, Long beforeId) {}

  public record EntryPage(List<LedgerEntry> items, Long nextCursor) {}

  public record LedgerReport(List<String> violations) {}
}
