package dev.gengate.ledger;

import dev.gengate.common.AppError;
import dev.gengate.common.ErrorCode;
import dev.gengate.common.PgErrors;
import dev.gengate.common.metrics.GengateMetrics;
import dev.gengate.ledger.LedgerApi.CreateGeneration;
import dev.gengate.ledger.LedgerApi.CreatedGeneration;
import dev.gengate.ledger.LedgerApi.GenerationView;
import dev.gengate.limits.LimitsConfig;
import dev.gengate.provider.ModelCatalog;
import dev.gengate.provider.ModelConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;

/**
 * Creating a generation, in one transaction: the idempotency check, the guarded debit that also takes an active
 * slot, the pending generation and its CHARGE entry. A refused debit charges and inserts nothing. After the
 * commit the ledger publishes {@link LedgerApi#GENERATION_QUEUED} so an executor claims it at once.
 */
final class GenerationCreation {
  private static final String IDEMPOTENCY_INDEX = "generations_idempotency";
  private static final int CREATE_TRIES = 3;
  /** When a slot frees is unknown (generations take seconds); a short, honest hint for the 429's Retry-After. */
  private static final int ACTIVE_SLOT_RETRY_SECONDS = 2;

  private final Vertx vertx;
  private final Pool pool;
  private final ModelCatalog models;
  private final LimitsConfig limits;

  GenerationCreation(Vertx vertx, Pool pool, ModelCatalog models, LimitsConfig limits) {
    this.vertx = vertx;
    this.pool = pool;
    this.models = models;
    this.limits = limits;
  }

  Future<CreatedGeneration> create(CreateGeneration request) {
    ModelConfig model = models.models().get(request.model());
    if (model == null) {
      return Future.failedFuture(new AppError(ErrorCode.UNKNOWN_MODEL, new JsonObject()
          .put("model", request.model()).put("available", new JsonArray(List.copyOf(models.models().keySet())))));
    }
    return create(request, model, 1).onSuccess(created -> {
      if (!created.replay()) {
        GengateMetrics.generationCreated(model.name());
        GengateMetrics.creditsCharged(model.name(), created.generation().creditsCharged());
        vertx.eventBus().publish(LedgerApi.GENERATION_QUEUED, created.generation().id().toString());
      }
    });
  }

  /**
   * The transaction first locks the user's row, so concurrent requests with one key queue there and each later
   * one sees the first one's generation (409 or a replay, never a refusal of its debit). The idempotency index
   * stays the last line: a loser of a race it catches rolls back and runs again. The last step checks the
   * sender's deadline, so a create the client was told failed (503) is rolled back rather than charged.
   */
  private Future<CreatedGeneration> create(CreateGeneration request, ModelConfig model, int attempt) {
    return pool.withTransaction(conn -> conn.preparedQuery(UserSql.LOCK_USER).execute(Tuple.of(request.userId()))
            .compose(locked -> locked.size() == 0
                ? Future.failedFuture(new AppError(ErrorCode.NOT_FOUND))
                : priorUse(conn, request))
            .compose(prior -> prior != null ? Future.succeededFuture(prior) : chargeAndInsert(conn, request, model))
            .compose(request.deadline()::check))
        .recover(failure -> attempt < CREATE_TRIES && PgErrors.isUniqueViolation(failure, IDEMPOTENCY_INDEX)
            ? create(request, model, attempt + 1)
            : Future.failedFuture(failure));
  }

  /** What an Idempotency-Key already means: null when the request should create a new generation. */
  private Future<CreatedGeneration> priorUse(SqlConnection conn, CreateGeneration request) {
    if (request.idempotencyKey() == null) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(GenerationSql.FIND_BY_KEY)
        .execute(Tuple.of(request.userId(), request.idempotencyKey()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture();
          }
          Row row = rows.iterator().next();
          GenerationView prior = Rows.generation(row);
          if (!request.requestHash().equals(row.getString("request_hash"))) {
            return Future.failedFuture(new AppError(ErrorCode.IDEMPOTENCY_KEY_MISMATCH));
          }
          return switch (prior.status()) {
            case LedgerApi.COMPLETED -> Future.succeededFuture(new CreatedGeneration(prior, true));
            case LedgerApi.PENDING, LedgerApi.PROCESSING -> Future.failedFuture(
                AppError.of(ErrorCode.DUPLICATE_REQUEST, "generationId", prior.id().toString()));
            default -> Future.succeededFuture(); // failed or cancelled: the key may start a new generation
          };
        });
  }

  private Future<CreatedGeneration> chargeAndInsert(SqlConnection conn, CreateGeneration request, ModelConfig model) {
    long price = model.price();
    return conn.preparedQuery(GenerationSql.DEBIT)
        .execute(Tuple.of(request.userId(), price, limits.premium().maxActive(), limits.free().maxActive()))
        .compose(rows -> rows.size() == 1
            ? Future.succeededFuture(rows.iterator().next().getLong("credits"))
            : refusal(conn, request.userId(), price))
        .compose(balance -> conn.preparedQuery(GenerationSql.INSERT_GENERATION)
            .execute(Tuple.of(UUID.randomUUID(), request.userId(), model.name(), request.prompt(),
                request.params(), price, request.idempotencyKey(), request.requestHash(),
                model.timeout().toMillis()))
            .map(inserted -> Rows.generation(inserted.iterator().next()))
            .compose(generation -> conn.preparedQuery(GenerationSql.INSERT_CHARGE)
                .execute(Tuple.of(request.userId(), generation.id(), -price, balance,
                    "generation (" + model.name() + ")"))
                .map(new CreatedGeneration(generation, false))));
  }

  /** The debit touched no row: say why, from the user's current row. Nothing was charged or inserted. */
  private Future<Long> refusal(SqlConnection conn, UUID userId, long price) {
    return conn.preparedQuery(GenerationSql.USER_STATE).execute(Tuple.of(userId)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(new AppError(ErrorCode.NOT_FOUND));
      }
      Row user = rows.iterator().next();
      long credits = user.getLong("credits");
      if (credits < price) {
        return Future.failedFuture(new AppError(ErrorCode.INSUFFICIENT_CREDITS,
            new JsonObject().put("required", price).put("available", credits)));
      }
      return Future.failedFuture(new AppError(ErrorCode.TOO_MANY_ACTIVE_GENERATIONS, new JsonObject()
          .put("maxActive", limits.tier(user.getBoolean("is_premium")).maxActive())
          .put("retryAfter", ACTIVE_SLOT_RETRY_SECONDS)));
    });
  }
}
