package dev.gengate.common.config;

import io.vertx.core.json.JsonObject;

/** Builds the configuration subtree a verticle is deployed with: only the top-level sections it reads. */
public final class Sections {
  private Sections() {}

  public static JsonObject pick(JsonObject config, String... names) {
    JsonObject picked = new JsonObject();
    for (String name : names) {
      Object value = config.getValue(name);
      if (value != null) {
        picked.put(name, value instanceof JsonObject json ? json.copy() : value);
      }
    }
    return picked;
  }
}
