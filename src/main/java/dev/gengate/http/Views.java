package dev.gengate.http;

import dev.gengate.ledger.LedgerApi.GenerationView;
import dev.gengate.ledger.LedgerApi.LedgerEntry;
import dev.gengate.ledger.LedgerApi.UserView;
import dev.gengate.limits.Tier;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Function;

/** JSON representations of the API's resources. */
public final class Views {
  private Views() {}

  public static JsonObject user(UserView user, Tier tier) {
    return new JsonObject()
        .put("id", user.id().toString())
        .put("telegramId", user.telegramId())
        .put("language", user.language())
        .put("credits", user.credits())
        .put("premium", user.premium())
        .put("activeGenerations", user.activeGenerations())
        .put("limits", new JsonObject().put("maxActive", tier.maxActive()).put("perMinute", tier.perMinute()))
        .put("totalSpentCredits", user.totalSpentCredits())
        .put("totalGenerations", user.totalGenerations())
        .put("lastActiveAt", time(user.lastActiveAt()))
        .put("createdAt", time(user.createdAt()));
  }

  public static JsonObject entry(LedgerEntry entry) {
    return new JsonObject()
        .put("id", entry.id())
        .put("type", entry.type())
        .put("amount", entry.amount())
        .put("balanceAfter", entry.balanceAfter())
        .put("generationId", entry.generationId() == null ? null : entry.generationId().toString())
        .put("reason", entry.reason())
        .put("createdAt", time(entry.createdAt()));
  }

  /** Design section 3: the generation as its owner sees it; {@code error} is null unless failed or cancelled. */
  public static JsonObject generation(GenerationView generation) {
    return new JsonObject()
        .put("id", generation.id().toString())
        .put("status", generation.status())
        .put("model", generation.model())
        .put("prompt", generation.prompt())
        .put("params", generation.params() == null ? new JsonObject() : generation.params())
        .put("creditsCharged", generation.creditsCharged())
        .put("idempotencyKey", generation.idempotencyKey())
        .put("createdAt", time(generation.createdAt()))
        .put("startedAt", time(generation.startedAt()))
        .put("finishedAt", time(generation.finishedAt()))
        .put("timeoutAt", time(generation.timeoutAt()))
        .put("result", generation.result())
        .put("error", generation.errorCode() == null ? null
            : new JsonObject().put("code", generation.errorCode()).put("message", generation.errorMessage()));
  }

  public static <T> JsonObject page(List<T> items, Function<T, JsonObject> view, String nextCursor) {
    JsonArray array = new JsonArray();
    items.forEach(item -> array.add(view.apply(item)));
    return new JsonObject().put("items", array).put("nextCursor", nextCursor);
  }

  /** ISO-8601 in UTC with a Z, or null. */
  public static String time(OffsetDateTime time) {
    return time == null ? null : time.withOffsetSameInstant(ZoneOffset.UTC).format(DateTimeFormatter.ISO_INSTANT);
  }
}
