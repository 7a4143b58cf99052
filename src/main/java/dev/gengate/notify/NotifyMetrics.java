package dev.gengate.notify;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivery counters, when Vert.x runs with a Micrometer registry (no registry: every call is a no-op).
 * {@code gengate.notify.sent{event}}, {@code gengate.notify.retried{cause}}, {@code gengate.notify.failed{reason}}
 * and the gauge {@code gengate.notify.backlog} (pending rows in the shared outbox, so one value per process).
 */
final class NotifyMetrics {
  private static final AtomicLong BACKLOG = new AtomicLong();

  private final MeterRegistry registry;

  NotifyMetrics() {
    this.registry = BackendRegistries.getDefaultNow();
    if (registry != null) {
      Gauge.builder("gengate.notify.backlog", BACKLOG, AtomicLong::get)
          .description("Telegram messages waiting in the outbox")
          .strongReference(true)
          .register(registry);
    }
  }

  boolean active() {
    return registry != null;
  }

  void sent(NotificationEvent event) {
    count("gengate.notify.sent", "event", event.dbName());
  }

  /** {@code cause}: rate_limited, server_error, network, misconfigured. */
  void retried(String cause) {
    count("gengate.notify.retried", "cause", cause);
  }

  /** {@code reason}: rejected (Telegram refused the message) or exhausted (maxAttempts reached). */
  void failed(String reason) {
    count("gengate.notify.failed", "reason", reason);
  }

  void backlog(long pending) {
    BACKLOG.set(pending);
  }

  private void count(String name, String tag, String value) {
    if (registry != null) {
      registry.counter(name, tag, value).increment();
    }
  }
}
