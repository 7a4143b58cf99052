package dev.gengate.http;

import dev.gengate.common.AppError;
import dev.gengate.common.Bus;
import dev.gengate.common.ErrorCode;
import dev.gengate.ledger.LedgerApi.UserView;
import dev.gengate.limits.LimitsApi;
import dev.gengate.limits.LimitsApi.Decision;
import dev.gengate.limits.LimitsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The per-minute check in front of paid requests: asks the limits module for a decision, writes the
 * {@code RateLimit-Policy}/{@code RateLimit} headers, and fails with RATE_LIMITED (with {@code retryAfter})
 * when the window is full. When the limits module does not answer, {@code limits.redisFailureMode} decides:
 * open lets the request through (PostgreSQL still enforces credits and active slots), closed answers 503.
 */
public final class RateLimitGate {
  private final Vertx vertx;
  private final LimitsConfig limits;

  public RateLimitGate(Vertx vertx, LimitsConfig limits) {
    this.vertx = vertx;
    this.limits = limits;
  }

  public Future<Void> admit(RoutingContext ctx, UserView user) {
    int quota = limits.tier(user.premium()).perMinute();
    return Bus.<Decision>request(vertx, LimitsApi.CHECK, new LimitsApi.Check(user.id(), quota), limits.busTimeout())
        .recover(failure -> unavailable(failure))
        .compose(decision -> {
          if (decision == null) {
            return Future.succeededFuture();
          }
          writeHeaders(ctx, decision);
          return decision.allowed()
              ? Future.succeededFuture()
              : Future.failedFuture(new AppError(ErrorCode.RATE_LIMITED,
                  new JsonObject().put("retryAfter", Math.max(1, decision.retryAfterSeconds()))));
        });
  }

  /** Null means "no decision, let it through" (fail-open). */
  private Future<Decision> unavailable(Throwable failure) {
    AppError error = AppError.from(failure);
    if (error.code() != ErrorCode.SERVICE_UNAVAILABLE && error.code() != ErrorCode.INTERNAL_ERROR) {
      return Future.failedFuture(error);
    }
    return limits.failOpen()
        ? Future.succeededFuture()
        : Future.failedFuture(AppError.of(ErrorCode.SERVICE_UNAVAILABLE, "retryAfter", 1));
  }

  /** IETF httpapi rate-limit headers (draft-ietf-httpapi-ratelimit-headers): quota policy and current state. */
  static void writeHeaders(RoutingContext ctx, Decision decision) {
    ctx.response()
        .putHeader("RateLimit-Policy", "\"per-user\";q=" + decision.limit() + ";w=" + decision.windowSeconds())
        .putHeader("RateLimit", "\"per-user\";r=" + decision.remaining() + ";t=" + decision.resetSeconds());
  }
}
