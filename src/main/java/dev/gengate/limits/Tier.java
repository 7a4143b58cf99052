package dev.gengate.limits;

import dev.gengate.common.config.ConfigReader;

/** One tier's limits: generations pending or processing at once, and requests per sliding window. */
public record Tier(int maxActive, int perMinute) {
  public static Tier from(ConfigReader tier, Tier fallback) {
    return new Tier(
        tier.intValue("maxActive", fallback.maxActive, 1, 100_000),
        tier.intValue("perMinute", fallback.perMinute, 1, 1_000_000));
  }
}
