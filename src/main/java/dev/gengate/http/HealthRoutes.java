package dev.gengate.http;

import dev.gengate.common.Bus;
import dev.gengate.common.Readiness;
import dev.gengate.ledger.LedgerApi;
import dev.gengate.limits.LimitsApi;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import java.time.Duration;
import java.util.List;

/**
 * {@code /health/live}: the process answers. {@code /health/ready}: migrations are done, every module is
 * deployed (and still is), and PostgreSQL and Redis answer through the modules that own them; 503 with
 * per-check detail otherwise.
 */
final class HealthRoutes {
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

  private HealthRoutes() {}

  static void mount(Router router, Vertx vertx) {
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    HealthCheckHandler ready = HealthCheckHandler.create(vertx)
        .register("migrations", promise -> promise.complete(migrations(vertx)))
        .register("verticles", promise -> promise.complete(verticles(vertx)))
        .register("postgres", CHECK_TIMEOUT.toMillis(), promise -> ping(vertx, LedgerApi.PING, promise))
        .register("redis", CHECK_TIMEOUT.toMillis(), promise -> ping(vertx, LimitsApi.PING, promise));
    router.get("/health/ready").handler(ready);
  }

  private static Status migrations(Vertx vertx) {
    String version = Readiness.schemaVersion(vertx);
    return version == null
        ? Status.KO(new JsonObject().put("error", "migrations not done"))
        : Status.OK(new JsonObject().put("schemaVersion", version));
  }

  private static Status verticles(Vertx vertx) {
    List<String> deployments = Readiness.deployments(vertx);
    if (deployments.isEmpty()) {
      return Status.KO(new JsonObject().put("error", "deployment not finished"));
    }
    List<String> missing = Readiness.missingDeployments(vertx);
    return missing.isEmpty()
        ? Status.OK(new JsonObject().put("deployments", deployments.size()))
        : Status.KO(new JsonObject().put("error", "modules undeployed").put("missing", missing.size()));
  }

  private static void ping(Vertx vertx, String address, Promise<Status> promise) {
    Bus.<String>request(vertx, address, "ping", CHECK_TIMEOUT)
        .onComplete(ok -> promise.complete(Status.OK()),
            failure -> promise.complete(Status.KO(new JsonObject().put("error", "not answering"))));
  }
}
