package dev.gengate.notify;

import dev.gengate.common.config.ConfigReader;
import java.net.URI;
import java.time.Duration;
import java.util.Set;

/** {@code telegram.*}: the Bot API endpoint, the token (empty = notifications off), throttling and retries. */
public record TelegramConfig(
    String botToken, URI apiBaseUrl, Duration perChatInterval, int globalPerSecond, int maxAttempts,
    Duration backoffBase, Duration backoffMax, Duration pollInterval, Duration requestTimeout,
    Duration retention) {

  public static TelegramConfig from(ConfigReader root) {
    ConfigReader t = root.section("telegram");
    URI base = t.url("apiBaseUrl", Set.of("http", "https"));
    return new TelegramConfig(
        t.string("botToken", "").trim(),
        base == null ? URI.create("https://api.telegram.org") : base,
        t.duration("perChatInterval", Duration.ofSeconds(1), Duration.ZERO),
        t.intValue("globalPerSecond", 30, 1, 10_000),
        t.intValue("maxAttempts", 8, 1, 1000),
        t.duration("backoffBase", Duration.ofSeconds(1), Duration.ofMillis(1)),
        t.duration("backoffMax", Duration.ofMinutes(5), Duration.ofMillis(1)),
        t.duration("pollInterval", Duration.ofMillis(500), Duration.ofMillis(10)),
        t.duration("requestTimeout", Duration.ofSeconds(10), Duration.ofMillis(10)),
        t.duration("retention", Duration.ofDays(7), Duration.ofMinutes(1)));
  }

  public boolean enabled() {
    return !botToken.isEmpty();
  }

  /** Never prints the token: records print their fields, and this one is a secret. */
  @Override
  public String toString() {
    return "TelegramConfig[apiBaseUrl=" + apiBaseUrl + ", enabled=" + enabled() + ", perChatInterval="
        + perChatInterval + ", globalPerSecond=" + globalPerSecond + ", maxAttempts=" + maxAttempts + "]";
  }
}
