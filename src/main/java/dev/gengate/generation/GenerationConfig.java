package dev.gengate.generation;

import dev.gengate.common.config.ConfigReader;
import java.time.Duration;

/** {@code generation.*}: execution, leases, the rescuer, and the timeout of the module's ledger requests. */
public record GenerationConfig(
    int maxAttempts, Duration lease, Duration rescueInterval, Duration pollInterval, int concurrency,
    Duration busTimeout) {
  public static GenerationConfig from(ConfigReader root) {
    ConfigReader g = root.section("generation");
    return new GenerationConfig(
        g.intValue("maxAttempts", 3, 1, 100),
        g.duration("lease", Duration.ofSeconds(15), Duration.ofMillis(200)),
        g.duration("rescueInterval", Duration.ofSeconds(5), Duration.ofMillis(50)),
        g.duration("pollInterval", Duration.ofSeconds(1), Duration.ofMillis(10)),
        g.intValue("concurrency", 64, 1, 10_000),
        g.duration("busTimeout", Duration.ofSeconds(5), Duration.ofMillis(10)));
  }

  /** How often running generations renew their lease: three times per lease. */
  public Duration heartbeatInterval() {
    return lease.dividedBy(3);
  }
}
