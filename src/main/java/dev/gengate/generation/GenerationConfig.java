package dev.gengate.generation;

import dev.gengate.common.config.ConfigReader;
import java.time.Duration;

/** {@code generation.*}: execution, leases and the rescuer. */
public record GenerationConfig(
    int maxAttempts, Duration lease, Duration rescueInterval, Duration pollInterval, int concurrency) {
  public static GenerationConfig from(ConfigReader root) {
    ConfigReader g = root.section("generation");
    return new GenerationConfig(
        g.intValue("maxAttempts", 3, 1, 100),
        g.duration("lease", Duration.ofSeconds(15), Duration.ofMillis(200)),
        g.duration("rescueInterval", Duration.ofSeconds(5), Duration.ofMillis(50)),
        g.duration("pollInterval", Duration.ofSeconds(1), Duration.ofMillis(10)),
        g.intValue("concurrency", 64, 1, 10_000));
  }
}
