package dev.gengate;

import dev.gengate.common.config.Sections;
import dev.gengate.generation.GenerationVerticle;
import dev.gengate.http.HttpVerticle;
import dev.gengate.ledger.LedgerVerticle;
import dev.gengate.limits.RateLimitVerticle;
import dev.gengate.notify.NotificationVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Deploys the modules in dependency order, each with its own configuration subtree and instance count: the
 * owners of PostgreSQL and Redis first, the HTTP edge last, so no request arrives before its handlers exist.
 * The configuration must already carry real URLs (see {@link EmbeddedServices}) and a migrated schema.
 */
public final class Gengate {
  private Gengate() {}

  /** Resolves to the deployment ids, in deployment order (undeploy in reverse). */
  public static Future<List<String>> deploy(Vertx vertx, AppConfig config) {
    JsonObject json = config.json();
    List<String> ids = new ArrayList<>();
    return deploy(vertx, LedgerVerticle::new, config.ledgerInstances(),
            Sections.pick(json, "db", "limits", "models", "defaultModel", "generation", "telegram"), ids)
        .compose(v -> deploy(vertx, RateLimitVerticle::new, config.limitsInstances(),
            Sections.pick(json, "redis", "limits"), ids))
        .compose(v -> deploy(vertx, GenerationVerticle::new, config.generationInstances(),
            Sections.pick(json, "generation", "models", "defaultModel"), ids))
        .compose(v -> deploy(vertx, NotificationVerticle::new, config.notifyInstances(),
            Sections.pick(json, "db", "telegram"), ids))
        .compose(v -> deploy(vertx, HttpVerticle::new, config.http().instances(),
            Sections.pick(json, "http", "admin", "limits", "models", "defaultModel"), ids))
        .map(v -> ids);
  }

  private static Future<Void> deploy(Vertx vertx, Supplier<? extends io.vertx.core.Deployable> verticle,
      int instances, JsonObject config, List<String> ids) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(instances).setConfig(config))
        .onSuccess(ids::add)
        .mapEmpty();
  }
}
