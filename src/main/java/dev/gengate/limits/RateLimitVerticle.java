package dev.gengate.limits;

import dev.gengate.common.AppError;
import dev.gengate.common.Bus;
import dev.gengate.common.Clients;
import dev.gengate.common.ErrorCode;
import dev.gengate.common.config.ConfigReader;
import dev.gengate.common.config.RedisConfig;
import dev.gengate.limits.LimitsApi.Check;
import dev.gengate.limits.LimitsApi.Decision;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns Redis: per-user sliding-window rate limits ({@link SlidingWindow}). Deployed with the {@code redis} and
 * {@code limits} sections. Every Redis call is bounded by {@code limits.redisTimeout}; when Redis fails or is
 * slow the request fails SERVICE_UNAVAILABLE and the caller applies {@code limits.redisFailureMode}. The pooled
 * client opens fresh connections per need, so the module recovers by itself when Redis comes back.
 */
public final class RateLimitVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimitVerticle.class);
  private static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
  /** Shared by all instances in the process: at most one warning a minute, and one line on recovery after it. */
  private static final AtomicLong NEXT_WARNING = new AtomicLong(System.nanoTime());
  private static final AtomicBoolean FAILING = new AtomicBoolean();
  private static final long START_TIMEOUT_MS = 2_000;

  private final AtomicLong sequence = new AtomicLong();
  private Redis redis;
  private SlidingWindow script;
  private Duration window;
  private Duration redisTimeout;
  private String memberPrefix;
  private Future<Void> loading;

  @Override
  public Future<?> start() {
    ConfigReader root = new ConfigReader(config());
    LimitsConfig limits = LimitsConfig.from(root);
    window = limits.window();
    redisTimeout = limits.redisTimeout();
    memberPrefix = randomPrefix();
    redis = Clients.redis(vertx, RedisConfig.from(root.section("redis")));
    Bus.registerCodecs(vertx, LimitsApi.MESSAGE_TYPES);
    return vertx.executeBlocking(SlidingWindow::load)
        .compose(loaded -> {
          script = loaded;
          // Loading now saves a NOSCRIPT round trip later; Redis being away at start is not fatal. The first
          // command also opens the first connection, so it gets more time than a check.
          long startTimeout = Math.max(redisTimeout.toMillis(), START_TIMEOUT_MS);
          return reload().timeout(startTimeout, TimeUnit.MILLISECONDS)
              .recover(failure -> {
                warn(failure);
                return Future.succeededFuture();
              });
        })
        .compose(v -> Bus.serve(vertx, LimitsApi.PING, (Object ignored) -> ping()).completion())
        .compose(v -> Bus.serve(vertx, LimitsApi.CHECK, this::check).completion());
  }

  @Override
  public Future<?> stop() {
    return redis == null ? Future.succeededFuture() : redis.close();
  }

  private Future<String> ping() {
    return bounded(redis.send(Request.cmd(Command.PING))).map("ok");
  }

  private Future<Decision> check(Check check) {
    if (check.limit() < 1) {
      return Future.failedFuture(AppError.validation("limit", "must be at least 1"));
    }
    String member = memberPrefix + Long.toString(sequence.incrementAndGet(), 36);
    Supplier<Request> request = () -> script.evalsha(check.userId(), check.limit(), window, member);
    Future<Response> reply = redis.send(request.get())
        .recover(failure -> isNoScript(failure)
            ? reload().compose(v -> redis.send(request.get()))
            : Future.failedFuture(failure));
    return bounded(reply).map(response -> SlidingWindow.decision(response, check.limit(), window));
  }

  /** SCRIPT LOAD once, shared by every request that met NOSCRIPT meanwhile (e.g. after a Redis restart). */
  private Future<Void> reload() {
    if (loading != null) {
      return loading;
    }
    Future<Void> load = redis.send(script.scriptLoad()).compose(sha -> script.sha().equals(sha.toString())
        ? Future.succeededFuture()
        : Future.failedFuture(new IllegalStateException("Redis loaded the script as " + sha)));
    loading = load;
    load.onComplete(ar -> {
      if (loading == load) {
        loading = null;
      }
    });
    return load;
  }

  private static boolean isNoScript(Throwable failure) {
    String message = failure.getMessage();
    return message != null && message.startsWith("NOSCRIPT");
  }

  /** Bounds a Redis call by {@code limits.redisTimeout}; any failure becomes SERVICE_UNAVAILABLE. */
  private <T> Future<T> bounded(Future<T> call) {
    return call.timeout(redisTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .andThen(ar -> {
          if (ar.succeeded() && FAILING.compareAndSet(true, false)) {
            LOG.info("Redis answers again; rate limiting is back");
          }
        })
        .recover(failure -> {
          warn(failure);
          return Future.failedFuture(AppError.of(ErrorCode.SERVICE_UNAVAILABLE, "retryAfter", 1));
        });
  }

  private static void warn(Throwable failure) {
    long now = System.nanoTime();
    long next = NEXT_WARNING.get();
    if (now - next >= 0 && NEXT_WARNING.compareAndSet(next, now + WARN_INTERVAL_NANOS)) {
      FAILING.set(true);
      LOG.warn("Redis is not answering rate-limit requests ({}); they fail with SERVICE_UNAVAILABLE"
          + " (next warning in a minute at the earliest)", failure.toString());
    }
  }

  /** Members are unique across instances and processes: a random prefix, then a per-instance sequence. */
  private static String randomPrefix() {
    byte[] bytes = new byte[8];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes) + "-";
  }
}
