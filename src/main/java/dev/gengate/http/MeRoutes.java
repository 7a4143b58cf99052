package dev.gengate.http;

import dev.gengate.common.AppError;
import dev.gengate.common.Bus;
import dev.gengate.ledger.LedgerApi;
import dev.gengate.ledger.LedgerApi.EntryPage;
import dev.gengate.ledger.LedgerApi.UserView;
import dev.gengate.limits.LimitsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/** {@code /v1/me} and {@code /v1/me/transactions}: the caller's own account. */
final class MeRoutes {
  private final Vertx vertx;
  private final LimitsConfig limits;
  private final Duration timeout;

  MeRoutes(Vertx vertx, LimitsConfig limits, Duration timeout) {
    this.vertx = vertx;
    this.limits = limits;
    this.timeout = timeout;
  }

  void mount(Router router, Auth auth) {
    router.get("/v1/me").handler(auth::user).respond(this::me);
    router.get("/v1/me/transactions").handler(auth::user).respond(this::transactions);
  }

  private Future<JsonObject> me(RoutingContext ctx) {
    // The authenticated view was read by this very request; it is current.
    UserView user = RequestContext.user(ctx);
    return Future.succeededFuture(Views.user(user, limits.tier(user.premium())));
  }

  private Future<JsonObject> transactions(RoutingContext ctx) {
    int limit = RequestParams.limit(ctx, 50, 200);
    Long cursor = cursor(ctx.request().getParam("cursor"));
    LedgerApi.ListEntries request = new LedgerApi.ListEntries(RequestContext.user(ctx).id(), limit, cursor);
    return Bus.<EntryPage>request(vertx, LedgerApi.LIST_ENTRIES, request, timeout)
        .map(page -> Views.page(page.items(), Views::entry,
            page.nextCursor() == null ? null : page.nextCursor().toString()));
  }

  private static Long cursor(String raw) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      long value = Long.parseLong(raw);
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw AppError.validation("cursor", "is not a cursor this API returned");
  }
}
