package dev.gengate.ledger;

import dev.gengate.ledger.LedgerApi.GenerationView;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

/**
 * Work that must commit or roll back together with a generation's transition (for example an outbox row for a
 * Telegram message). Each method runs inside the transition's transaction, after the guarded update and the
 * money movement, with the generation as it now is; a failed future rolls the whole transition back.
 */
public interface TransitionHooks {
  /** pending → processing (one call per claimed generation). */
  default Future<Void> started(SqlConnection conn, GenerationView generation) {
    return Future.succeededFuture();
  }

  /** processing → completed. */
  default Future<Void> completed(SqlConnection conn, GenerationView generation) {
    return Future.succeededFuture();
  }

  /** pending/processing → failed, after the refund (the REFUND entry is written). */
  default Future<Void> failed(SqlConnection conn, GenerationView generation) {
    return Future.succeededFuture();
  }

  /** pending/processing → cancelled, after the refund (the REFUND entry is written). */
  default Future<Void> cancelled(SqlConnection conn, GenerationView generation) {
    return Future.succeededFuture();
  }

  /** After a transaction that called one of the methods above has committed (outside the transaction). */
  default void committed() {}
}
