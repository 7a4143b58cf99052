package dev.gengate;

import dev.gengate.common.config.ConfigReader;
import dev.gengate.common.config.DbConfig;
import dev.gengate.common.config.RedisConfig;
import dev.gengate.generation.GenerationConfig;
import dev.gengate.http.HttpConfig;
import dev.gengate.limits.LimitsConfig;
import dev.gengate.notify.TelegramConfig;
import dev.gengate.provider.ModelCatalog;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * The whole configuration, parsed and validated once at start so a mistake stops the process before anything
 * is deployed. Verticles receive the JSON subtrees they need and parse their own records from them.
 */
public record AppConfig(
    JsonObject json, HttpConfig http, DbConfig db, RedisConfig redis, LimitsConfig limits, ModelCatalog models,
    GenerationConfig generation, TelegramConfig telegram, boolean jsonLogs,
    int ledgerInstances, int limitsInstances, int generationInstances, int notifyInstances) {

  public static AppConfig parse(JsonObject json) {
    ConfigReader root = new ConfigReader(json);
    ConfigReader verticles = root.section("verticles");
    return new AppConfig(
        json,
        HttpConfig.from(root),
        DbConfig.from(root.section("db")),
        RedisConfig.from(root.section("redis")),
        LimitsConfig.from(root),
        ModelCatalog.from(root),
        GenerationConfig.from(root),
        TelegramConfig.from(root),
        root.section("log").oneOf("format", "text", Set.of("text", "json")).equals("json"),
        instances(verticles, "ledger"),
        instances(verticles, "limits"),
        instances(verticles, "generation"),
        instances(verticles, "notify"));
  }

  private static int instances(ConfigReader verticles, String name) {
    return verticles.section(name).intValue("instances", 1, 1, 256);
  }

  /** The same configuration with some keys replaced (tests and embedded mode use this to fill in URLs). */
  public AppConfig with(String section, String key, Object value) {
    JsonObject copy = json.copy();
    JsonObject target = copy.getJsonObject(section);
    if (target == null) {
      target = new JsonObject();
      copy.put(section, target);
    }
    target.put(key, value);
    return parse(copy);
  }
}
