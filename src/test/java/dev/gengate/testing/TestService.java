package dev.gengate.testing;

import dev.gengate.AppConfig;
import dev.gengate.EmbeddedServices;
import dev.gengate.Gengate;
import dev.gengate.common.Readiness;
import dev.gengate.common.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole service deployed in the test's Vert.x against the shared test PostgreSQL and Redis, on a free
 * port, with a known admin token. Overrides are merged over the bundled defaults, like a config file.
 */
public final class TestService {
  public static final String ADMIN_TOKEN = "test-admin-token";

  private final Vertx vertx;
  private final AppConfig config;
  private final List<String> deployments;

  private TestService(Vertx vertx, AppConfig config, List<String> deployments) {
    this.vertx = vertx;
    this.config = config;
    this.deployments = deployments;
  }

  public static TestService start(Vertx vertx) {
    return start(vertx, new JsonObject());
  }

  public static TestService start(Vertx vertx, JsonObject overrides) {
    AppConfig config = config(overrides);
    try {
      Readiness.migrated(vertx, TestInfra.get().schemaVersion());
      List<String> ids = Gengate.deploy(vertx, config).await(60, TimeUnit.SECONDS);
      Readiness.deployed(vertx, ids);
      return new TestService(vertx, config, ids);
    } catch (Exception e) {
      throw new IllegalStateException("service did not start", e);
    }
  }

  /** The configuration a test service runs with: defaults, the test infrastructure, then the overrides. */
  public static AppConfig config(JsonObject overrides) {
    TestInfra infra = TestInfra.get();
    JsonObject json = ConfigLoader.load(null, Map.of());
    json.getJsonObject("db").put("url", infra.postgresUrl());
    json.getJsonObject("redis").put("url", infra.redisUrl());
    json.getJsonObject("admin").put("token", ADMIN_TOKEN);
    json.getJsonObject("http").put("port", EmbeddedServices.freePort()).put("host", "127.0.0.1");
    merge(json, overrides);
    return AppConfig.parse(json);
  }

  private static void merge(JsonObject target, JsonObject overlay) {
    for (Map.Entry<String, Object> e : overlay) {
      if (target.getValue(e.getKey()) instanceof JsonObject t && e.getValue() instanceof JsonObject o) {
        merge(t, o);
      } else {
        target.put(e.getKey(), e.getValue());
      }
    }
  }

  public int port() {
    return config.http().port();
  }

  public AppConfig config() {
    return config;
  }

  public Api api() {
    return new Api(vertx, port());
  }

  public void stop() {
    for (int i = deployments.size() - 1; i >= 0; i--) {
      try {
        vertx.undeploy(deployments.get(i)).await(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // already undeployed with its Vert.x instance
      }
    }
  }
}
