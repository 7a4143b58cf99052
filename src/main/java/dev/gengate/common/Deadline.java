package dev.gengate.common;

import io.vertx.core.Future;
import java.time.Duration;

/**
 * The moment the sender of a bus request stops waiting for its reply. A module that changes money checks it as
 * the last step of its transaction and rolls back when it has passed: a request the client was told failed
 * (503 after the bus timeout) must not have taken effect. A margin before the sender's own timeout covers the
 * commit and the reply. Both sides run in one JVM, so the monotonic clock is shared.
 */
public record Deadline(long nanos) {
  private static final Duration MARGIN = Duration.ofMillis(250);

  /** The deadline of a request sent now with {@code timeout}. */
  public static Deadline forRequest(Duration timeout) {
    return new Deadline(System.nanoTime() + Math.max(0, timeout.minus(MARGIN).toNanos()));
  }

  public boolean passed() {
    return System.nanoTime() - nanos > 0;
  }

  /** {@code value} if there is still time, else SERVICE_UNAVAILABLE (which rolls the enclosing transaction back). */
  public <T> Future<T> check(T value) {
    return passed()
        ? Future.failedFuture(AppError.of(ErrorCode.SERVICE_UNAVAILABLE, "retryAfter", 1))
        : Future.succeededFuture(value);
  }
}
