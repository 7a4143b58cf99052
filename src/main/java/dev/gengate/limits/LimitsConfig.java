package dev.gengate.limits;

import dev.gengate.common.config.ConfigReader;
import java.time.Duration;
import java.util.Set;

/**
 * {@code limits.*}: per-tier limits, the sliding-window length, and what to do when Redis is away.
 * {@code busTimeout} bounds the HTTP layer's wait for a decision; {@code redisTimeout} bounds the limits module's
 * wait for Redis (keep it below {@code busTimeout} so a slow Redis answers SERVICE_UNAVAILABLE, not a bus timeout).
 */
public record LimitsConfig(Tier free, Tier premium, Duration window, boolean failOpen, Duration busTimeout,
    Duration redisTimeout) {
  public static LimitsConfig from(ConfigReader root) {
    ConfigReader limits = root.section("limits");
    return new LimitsConfig(
        Tier.from(limits.section("free"), new Tier(5, 10)),
        Tier.from(limits.section("premium"), new Tier(10, 30)),
        limits.duration("window", Duration.ofSeconds(60), Duration.ofMillis(100)),
        limits.oneOf("redisFailureMode", "open", Set.of("open", "closed")).equals("open"),
        limits.duration("busTimeout", Duration.ofMillis(500), Duration.ofMillis(1)),
        limits.duration("redisTimeout", Duration.ofMillis(250), Duration.ofMillis(1)));
  }

  public Tier tier(boolean premium) {
    return premium ? this.premium : free;
  }
}
