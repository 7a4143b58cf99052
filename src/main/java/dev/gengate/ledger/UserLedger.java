package dev.gengate.ledger;

import dev.gengate.common.AppError;
import dev.gengate.common.ErrorCode;
import dev.gengate.common.PgErrors;
import dev.gengate.ledger.LedgerApi.AdjustCredits;
import dev.gengate.ledger.LedgerApi.CreateUser;
import dev.gengate.ledger.LedgerApi.CreatedUser;
import dev.gengate.ledger.LedgerApi.EntryPage;
import dev.gengate.ledger.LedgerApi.LedgerEntry;
import dev.gengate.ledger.LedgerApi.ListEntries;
import dev.gengate.ledger.LedgerApi.SetPremium;
import dev.gengate.ledger.LedgerApi.UserView;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/** Users, API keys and admin credit changes. Each operation is one transaction; balances move only in SQL. */
final class UserLedger {
  static final String TOPUP = "TOPUP";
  static final String ADJUSTMENT = "ADJUSTMENT";

  private final Pool pool;

  UserLedger(Pool pool) {
    this.pool = pool;
  }

  Future<UserView> authenticate(byte[] keyHash) {
    return pool.preparedQuery(UserSql.FIND_BY_KEY_HASH)
        .execute(Tuple.of(Buffer.buffer(keyHash)))
        .map(rows -> single(rows, ErrorCode.UNAUTHORIZED))
        .map(Rows::user);
  }

  Future<CreatedUser> create(CreateUser request) {
    String apiKey = ApiKeys.newKey();
    return pool.withTransaction(conn -> conn.preparedQuery(UserSql.INSERT_USER)
            .execute(Tuple.of(request.telegramId(), request.language(), request.premium()))
            .map(rows -> Rows.user(rows.iterator().next()))
            .compose(user -> conn.preparedQuery(UserSql.INSERT_API_KEY)
                .execute(Tuple.of(Buffer.buffer(ApiKeys.hash(apiKey)), user.id(), ApiKeys.displayPrefix(apiKey)))
                .map(user))
            .compose(user -> request.credits() == 0
                ? Future.succeededFuture(user)
                : apply(conn, user.id(), request.credits(), TOPUP, "initial credits", null, null)
                    .compose(entry -> find(conn, user.id())))
            .compose(request.deadline()::check))
        .map(user -> new CreatedUser(user, apiKey))
        .recover(failure -> PgErrors.isUniqueViolation(failure)
            ? Future.failedFuture(AppError.validation("telegramId", "is already used by another user"))
            : Future.failedFuture(failure));
  }

  Future<UserView> get(UUID id) {
    return find(pool, id);
  }

  Future<UserView> setPremium(SetPremium request) {
    return pool.preparedQuery(UserSql.SET_PREMIUM)
        .execute(Tuple.of(request.userId(), request.premium()))
        .map(rows -> Rows.user(single(rows, ErrorCode.NOT_FOUND)));
  }

  /**
   * Applies the change once per idempotency key, in one transaction that first locks the user's row: concurrent
   * uses of a key queue there, and each later one finds the entry of the first and answers with it (same request)
   * or a mismatch (another request). Nothing is applied once the sender's deadline has passed.
   */
  Future<LedgerEntry> adjust(AdjustCredits request) {
    String type = request.amount() > 0 ? TOPUP : ADJUSTMENT;
    String hash = requestHash(request);
    return pool.withTransaction(conn -> conn.preparedQuery(UserSql.LOCK_USER).execute(Tuple.of(request.userId()))
        .compose(locked -> locked.size() == 0
            ? Future.failedFuture(new AppError(ErrorCode.NOT_FOUND))
            : priorUse(conn, request, hash))
        .compose(prior -> prior != null ? Future.succeededFuture(prior)
            : apply(conn, request.userId(), request.amount(), type, request.reason(), request.idempotencyKey(), hash)
                .compose(request.deadline()::check)));
  }

  Future<EntryPage> listEntries(ListEntries request) {
    long before = request.beforeId() == null ? Long.MAX_VALUE : request.beforeId();
    return pool.preparedQuery(UserSql.LIST_ENTRIES)
        .execute(Tuple.of(request.userId(), before, request.limit() + 1))
        .map(rows -> {
          List<LedgerEntry> items = new ArrayList<>();
          for (Row row : rows) {
            items.add(Rows.entry(row));
          }
          Long next = null;
          if (items.size() > request.limit()) {
            items.remove(items.size() - 1);
            next = items.get(items.size() - 1).id();
          }
          return new EntryPage(items, next);
        });
  }

  Future<String> ping() {
    return pool.query(UserSql.PING).execute().map("ok");
  }

  /** The entry an idempotency key already produced (null if none), or a mismatch if it was another request. */
  private static Future<LedgerEntry> priorUse(SqlClient conn, AdjustCredits request, String hash) {
    if (request.idempotencyKey() == null) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(UserSql.FIND_ENTRY_BY_KEY)
        .execute(Tuple.of(request.userId(), request.idempotencyKey()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture();
          }
          Row row = rows.iterator().next();
          return hash.equals(row.getString("request_hash"))
              ? Future.succeededFuture(Rows.entry(row))
              : Future.failedFuture(new AppError(ErrorCode.IDEMPOTENCY_KEY_MISMATCH));
        });
  }

  /** Runs the guarded statement; no row means an unknown user or a balance that would go negative. */
  private Future<LedgerEntry> apply(SqlClient conn, UUID userId, long amount, String type, String reason,
      String idempotencyKey, String hash) {
    return conn.preparedQuery(UserSql.APPLY_CREDITS)
        .execute(Tuple.of(userId, amount, type, reason, idempotencyKey, hash))
        .compose(rows -> rows.size() == 1
            ? Future.succeededFuture(Rows.entry(rows.iterator().next()))
            : find(conn, userId).compose(user -> Future.failedFuture(new AppError(ErrorCode.INSUFFICIENT_CREDITS,
                new JsonObject().put("required", -amount).put("available", user.credits())))));
  }

  private static Future<UserView> find(SqlClient client, UUID id) {
    return client.preparedQuery(UserSql.FIND_USER)
        .execute(Tuple.of(id))
        .map(rows -> Rows.user(single(rows, ErrorCode.NOT_FOUND)));
  }

  private static Row single(RowSet<Row> rows, ErrorCode whenMissing) {
    if (rows.size() == 0) {
      throw new AppError(whenMissing);
    }
    return rows.iterator().next();
  }

  private static String requestHash(AdjustCredits request) {
    String canonical = request.amount() + "\n" + (request.reason() == null ? "" : request.reason());
    return HexFormat.of().formatHex(ApiKeys.sha256(canonical.getBytes(StandardCharsets.UTF_8)));
  }
}
