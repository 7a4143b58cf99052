package dev.gengate.http;

import dev.gengate.common.AppError;
import dev.gengate.common.Bus;
import dev.gengate.common.Deadline;
import dev.gengate.ledger.LedgerApi;
import dev.gengate.ledger.LedgerApi.CreatedUser;
import dev.gengate.ledger.LedgerApi.LedgerEntry;
import dev.gengate.ledger.LedgerApi.UserView;
import dev.gengate.limits.LimitsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Set;

/** {@code /v1/admin/*}: user management and credit changes, behind the admin token. */
final class AdminRoutes {
  private static final long MAX_AMOUNT = 1_000_000_000_000L;
  private static final int MAX_REASON = 500;

  private final Vertx vertx;
  private final LimitsConfig limits;
  private final Duration timeout;

  AdminRoutes(Vertx vertx, LimitsConfig limits, Duration timeout) {
    this.vertx = vertx;
    this.limits = limits;
    this.timeout = timeout;
  }

  void mount(Router router, Auth auth) {
    router.route("/v1/admin/*").handler(auth::admin);
    router.post("/v1/admin/users").respond(this::createUser);
    router.get("/v1/admin/users/:id").respond(this::getUser);
    router.patch("/v1/admin/users/:id").respond(this::patchUser);
    router.post("/v1/admin/users/:id/credits").respond(this::adjustCredits);
    router.get("/v1/admin/ledger/check").respond(this::checkLedger);
  }

  private Future<JsonObject> createUser(RoutingContext ctx) {
    JsonBody body = JsonBody.of(ctx, Set.of("telegramId", "credits", "premium", "language"), true);
    Long telegramId = body.integer("telegramId");
    if (telegramId != null && telegramId <= 0) {
      throw AppError.validation("telegramId", "must be a positive number");
    }
    Long credits = body.integer("credits");
    if (credits != null && (credits < 0 || credits > MAX_AMOUNT)) {
      throw AppError.validation("credits", "must be from 0 to " + MAX_AMOUNT);
    }
    String language = body.string("language");
    if (language != null && !language.equals("en") && !language.equals("ru")) {
      throw AppError.validation("language", "must be \"en\" or \"ru\"");
    }
    Boolean premium = body.bool("premium");
    LedgerApi.CreateUser request = new LedgerApi.CreateUser(telegramId, credits == null ? 0 : credits,
        premium != null && premium, language == null ? "en" : language, Deadline.forRequest(timeout));
    return Bus.<CreatedUser>request(vertx, LedgerApi.CREATE_USER, request, timeout)
        .map(created -> {
          ctx.response().setStatusCode(201).putHeader("Location", "/v1/admin/users/" + created.user().id());
          return new JsonObject().put("user", userJson(created.user())).put("apiKey", created.apiKey());
        });
  }

  private Future<JsonObject> getUser(RoutingContext ctx) {
    return Bus.<UserView>request(vertx, LedgerApi.GET_USER,
            new LedgerApi.UserId(RequestParams.pathId(ctx, "id")), timeout)
        .map(this::userJson);
  }

  private Future<JsonObject> patchUser(RoutingContext ctx) {
    JsonBody body = JsonBody.of(ctx, Set.of("premium"), false);
    Boolean premium = body.bool("premium");
    if (premium == null) {
      throw AppError.validation("premium", "is required");
    }
    return Bus.<UserView>request(vertx, LedgerApi.SET_PREMIUM,
            new LedgerApi.SetPremium(RequestParams.pathId(ctx, "id"), premium), timeout)
        .map(this::userJson);
  }

  private Future<JsonObject> adjustCredits(RoutingContext ctx) {
    String key = RequestParams.idempotencyKey(ctx);
    JsonBody body = JsonBody.of(ctx, Set.of("amount", "reason"), false);
    Long amount = body.integer("amount");
    if (amount == null || amount == 0 || Math.abs(amount) > MAX_AMOUNT) {
      throw AppError.validation("amount", "must be a non-zero whole number of at most " + MAX_AMOUNT);
    }
    String reason = body.string("reason");
    if (reason != null && reason.codePointCount(0, reason.length()) > MAX_REASON) {
      throw AppError.validation("reason", "must be at most " + MAX_REASON + " characters");
    }
    LedgerApi.AdjustCredits request =
        new LedgerApi.AdjustCredits(RequestParams.pathId(ctx, "id"), amount, reason, key, Deadline.forRequest(timeout));
    return Bus.<LedgerEntry>request(vertx, LedgerApi.ADJUST_CREDITS, request, timeout)
        .map(entry -> {
          ctx.response().setStatusCode(201);
          return Views.entry(entry);
        });
  }

  private Future<JsonObject> checkLedger(RoutingContext ctx) {
    // A full scan: allow it more time than an ordinary request.
    return Bus.<LedgerApi.LedgerReport>request(vertx, LedgerApi.CHECK, "check", timeout.multipliedBy(6))
        .map(report -> new JsonObject()
            .put("healthy", report.violations().isEmpty())
            .put("violations", new io.vertx.core.json.JsonArray(report.violations())));
  }

  private JsonObject userJson(UserView user) {
    return Views.user(user, limits.tier(user.premium()));
  }
}
