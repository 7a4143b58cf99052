package dev.gengate.ledger;

import dev.gengate.ledger.LedgerApi.GenerationView;
import dev.gengate.ledger.LedgerApi.LedgerEntry;
import dev.gengate.ledger.LedgerApi.UserView;
import io.vertx.sqlclient.Row;

/** Maps rows of users, ledger entries and generations to bus messages. */
final class Rows {
  private Rows() {}

  static UserView user(Row row) {
    return new UserView(
        row.getUUID("id"),
        row.getLong("telegram_id"),
        row.getString("language"),
        row.getLong("credits"),
        row.getBoolean("is_premium"),
        row.getInteger("active_generations"),
        row.getLong("total_spent_credits"),
        row.getLong("total_generations"),
        row.getOffsetDateTime("last_active_at"),
        row.getOffsetDateTime("created_at"));
  }

  static LedgerEntry entry(Row row) {
    return new LedgerEntry(
        row.getLong("id"),
        row.getUUID("user_id"),
        row.getString("type"),
        row.getLong("amount"),
        row.getLong("balance_after"),
        row.getUUID("generation_id"),
        row.getString("reason"),
        row.getOffsetDateTime("created_at"));
  }

  static GenerationView generation(Row row) {
    return new GenerationView(
        row.getUUID("id"),
        row.getUUID("user_id"),
        row.getString("status"),
        row.getString("model"),
        row.getString("prompt"),
        row.getJsonObject("params"),
        row.getLong("credits_charged"),
        row.getString("idempotency_key"),
        row.getJsonObject("result"),
        row.getString("error_code"),
        row.getString("error_message"),
        row.getInteger("attempts"),
        row.getOffsetDateTime("created_at"),
        row.getOffsetDateTime("started_at"),
        row.getOffsetDateTime("finished_at"),
        row.getOffsetDateTime("timeout_at"));
  }
}
