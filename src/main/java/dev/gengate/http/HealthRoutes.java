package dev.gengate.http;

import dev.gengate.common.Bus;
import dev.gengate.ledger.LedgerApi;
import dev.gengate.limits.LimitsApi;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import java.time.Duration;

/**
 * {@code /health/live}: the process answers. {@code /health/ready}: PostgreSQL and Redis answer through the
 * modules that own them (so the check also proves those verticles are deployed); 503 with per-check detail
 * otherwise.
 */
final class HealthRoutes {
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

  private HealthRoutes() {}

  static void mount(Router router, Vertx vertx) {
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    HealthCheckHandler ready = HealthCheckHandler.create(vertx)
        .register("postgres", CHECK_TIMEOUT.toMillis(), promise -> ping(vertx, LedgerApi.PING, promise))
        .register("redis", CHECK_TIMEOUT.toMillis(), promise -> ping(vertx, LimitsApi.PING, promise));
    router.get("/health/ready").handler(ready);
  }

  private static void ping(Vertx vertx, String address, Promise<Status> promise) {
    Bus.<String>request(vertx, address, "ping", CHECK_TIMEOUT)
        .onComplete(ok -> promise.complete(Status.OK()),
            failure -> promise.complete(Status.KO(new JsonObject().put("error", "not answering"))));
  }
}
