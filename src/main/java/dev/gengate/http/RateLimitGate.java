package dev.gengate.http;

import dev.gengate.common.AppError;
import dev.gengate.common.Bus;
import dev.gengate.common.ErrorCode;
import dev.gengate.common.metrics.GengateMetrics;
import dev.gengate.ledger.LedgerApi.UserView;
import dev.gengate.limits.LimitsApi;
import dev.gengate.limits.LimitsApi.Decision;
import dev.gengate.limits.LimitsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-minute check in front of paid requests: asks the limits module for a decision, writes the
 * {@code RateLimit-Policy}/{@code RateLimit} headers, and fails with RATE_LIMITED (with {@code retryAfter})
 * when the window is full. When the limits module does not answer, {@code limits.redisFailureMode} decides:
 * open lets the request through (PostgreSQL still enforces credits and active slots), closed answers 503.
 * Rejections and fail-opens are counted ({@code gengate.ratelimit.rejected}, {@code gengate.ratelimit.failopen},
 * tagged by tier; see {@link GengateMetrics}).
 */
public final class RateLimitGate {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimitGate.class);
  private static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final AtomicLong NEXT_WARNING = new AtomicLong(System.nanoTime());

  private final Vertx vertx;
  private final LimitsConfig limits;

  public RateLimitGate(Vertx vertx, LimitsConfig limits) {
    this.vertx = vertx;
    this.limits = limits;
    // The gate sends these records even when the limits module is not deployed here (then it fails open/closed).
    Bus.registerCodecs(vertx, LimitsApi.MESSAGE_TYPES);
  }

  public Future<Void> admit(RoutingContext ctx, UserView user) {
    int quota = limits.tier(user.premium()).perMinute();
    return Bus.<Decision>request(vertx, LimitsApi.CHECK, new LimitsApi.Check(user.id(), quota), limits.busTimeout())
        .recover(failure -> unavailable(failure, tier(user)))
        .compose(decision -> {
          if (decision == null) {
            return Future.succeededFuture();
          }
          writeHeaders(ctx, decision);
          if (decision.allowed()) {
            return Future.succeededFuture();
          }
          GengateMetrics.rateLimitRejected(tier(user));
          return Future.failedFuture(new AppError(ErrorCode.RATE_LIMITED,
              new JsonObject().put("retryAfter", Math.max(1, decision.retryAfterSeconds()))));
        });
  }

  /** Null means "no decision, let it through" (fail-open). */
  private Future<Decision> unavailable(Throwable failure, String tier) {
    AppError error = AppError.from(failure);
    if (error.code() != ErrorCode.SERVICE_UNAVAILABLE && error.code() != ErrorCode.INTERNAL_ERROR) {
      return Future.failedFuture(error);
    }
    warn(error);
    if (!limits.failOpen()) {
      return Future.failedFuture(AppError.of(ErrorCode.SERVICE_UNAVAILABLE, "retryAfter", 1));
    }
    GengateMetrics.rateLimitFailOpen(tier);
    return Future.succeededFuture();
  }

  private void warn(AppError error) {
    long now = System.nanoTime();
    long next = NEXT_WARNING.get();
    if (now - next >= 0 && NEXT_WARNING.compareAndSet(next, now + WARN_INTERVAL_NANOS)) {
      LOG.warn("rate limiting is unavailable ({}); failing {} (next warning in a minute at the earliest)",
          error.code(), limits.failOpen() ? "open: requests pass unchecked" : "closed: requests get 503");
    }
  }

  private static String tier(UserView user) {
    return user.premium() ? "premium" : "free";
  }

  /** IETF httpapi rate-limit headers (draft-ietf-httpapi-ratelimit-headers): quota policy and current state. */
  static void writeHeaders(RoutingContext ctx, Decision decision) {
    ctx.response()
        .putHeader("RateLimit-Policy", "\"per-user\";q=" + decision.limit() + ";w=" + decision.windowSeconds())
        .putHeader("RateLimit", "\"per-user\";r=" + decision.remaining() + ";t=" + decision.resetSeconds());
  }
}
