package dev.gengate.common.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter.MeterProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * gengate's business meters, by name, in one place: modules call these static methods and never build meters
 * themselves, so names and tag keys stay consistent. All go to {@link Metrics#registry()}; Prometheus renders
 * {@code gengate.generations.accepted} as {@code gengate_generations_accepted_total}. (No meter name may end in
 * {@code .created}: the Prometheus client drops that suffix, which OpenMetrics reserves.)
 *
 * <p>Tag values must come from small fixed sets (model names from the configuration, statuses, outcomes):
 * never ids, prompts or free text. A null tag value is recorded as {@code "none"}.
 */
public final class GengateMetrics {
  private static final MeterRegistry REGISTRY = Metrics.registry();

  private static final MeterProvider<Counter> CREATED = counter("gengate.generations.accepted",
      "Generations accepted (charged), by model");
  private static final MeterProvider<Counter> FINISHED = counter("gengate.generations.finished",
      "Generations that reached a terminal status, by model and status (completed, failed, cancelled)");
  private static final MeterProvider<Counter> CHARGED = counter("gengate.credits.charged",
      "Credits charged for generations, by model");
  private static final MeterProvider<Counter> REFUNDED = counter("gengate.credits.refunded",
      "Credits refunded for failed or cancelled generations, by model");
  private static final MeterProvider<Timer> PROVIDER = Timer.builder("gengate.provider.latency")
      .description("Provider call duration, by model and outcome (success, error, aborted)")
      .serviceLevelObjectives(millis(100), millis(250), millis(500), millis(1000), millis(2500), millis(5000),
          millis(10_000), millis(30_000), millis(60_000), millis(120_000))
      .withRegistry(REGISTRY);
  /** Names the rate-limit meters by; tests read them back with these. */
  public static final String RATE_LIMIT_REJECTED = "gengate.ratelimit.rejected";
  public static final String RATE_LIMIT_FAIL_OPEN = "gengate.ratelimit.failopen";
  private static final MeterProvider<Counter> RATE_LIMITED = counter(RATE_LIMIT_REJECTED,
      "Requests refused by the per-minute window, by tier (free, premium)");
  private static final MeterProvider<Counter> FAIL_OPEN = counter(RATE_LIMIT_FAIL_OPEN,
      "Requests let through without a rate-limit decision because Redis did not answer, by tier");
  private static final MeterProvider<Counter> BUS_TIMEOUTS = counter("gengate.bus.reply.timeouts",
      "Event-bus requests that got no reply within their timeout, by address");
  private static final MeterProvider<Counter> RESCUER = counter("gengate.rescuer.actions",
      "Rescuer actions, by kind (e.g. requeued, failed_deadline, failed_attempts)");
  private static final MeterProvider<Counter> NOTIFY_SENT = counter("gengate.notify.sent",
      "Telegram messages delivered, by event (started, completed, failed, cancelled)");
  private static final MeterProvider<Counter> NOTIFY_RETRIED = counter("gengate.notify.retried",
      "Telegram deliveries to be tried again, by cause (rate_limited, server_error, network, misconfigured)");
  private static final MeterProvider<Counter> NOTIFY_FAILED = counter("gengate.notify.failed",
      "Telegram messages given up, by reason (rejected by Telegram, exhausted attempts)");

  private static final AtomicReference<Supplier<? extends Number>> ACTIVE = gauge("gengate.generations.active",
      "Generations pending or processing (NaN until a module reports it)");
  private static final AtomicReference<Supplier<? extends Number>> BACKLOG = gauge("gengate.notify.backlog",
      "Telegram messages waiting in the outbox (NaN until the notification module reports it)");

  private GengateMetrics() {}

  /**
   * Registers the meters without tags (the gauges) so that a scrape shows them from the start;
   * tagged counters appear with their first increment.
   */
  public static void init() {
    // Loading the class registers them.
  }

  /** A generation was created and charged. */
  public static void generationCreated(String model) {
    CREATED.withTags("model", tag(model)).increment();
  }

  /** A generation reached {@code status}: completed, failed or cancelled. */
  public static void generationFinished(String model, String status) {
    FINISHED.withTags("model", tag(model), "status", tag(status)).increment();
  }

  /** {@code credits} (positive) were charged for a generation of {@code model}. */
  public static void creditsCharged(String model, long credits) {
    CHARGED.withTags("model", tag(model)).increment(Math.abs(credits));
  }

  /** {@code credits} (positive) were refunded for a generation of {@code model}. */
  public static void creditsRefunded(String model, long credits) {
    REFUNDED.withTags("model", tag(model)).increment(Math.abs(credits));
  }

  /** Where the active-generations gauge reads from; a later call replaces the earlier source. */
  public static void activeGenerations(Supplier<? extends Number> source) {
    ACTIVE.set(source);
  }

  /** One provider call took {@code elapsed}; outcome: success, error, or aborted (cancel, deadline, shutdown). */
  public static void providerLatency(String model, String outcome, Duration elapsed) {
    PROVIDER.withTags("model", tag(model), "outcome", tag(outcome)).record(elapsed);
  }

  /** A request was refused because the user's per-minute window was full; tier: free or premium. */
  public static void rateLimitRejected(String tier) {
    RATE_LIMITED.withTags("tier", tag(tier)).increment();
  }

  /** A request went through without a rate-limit decision because Redis did not answer (fail-open). */
  public static void rateLimitFailOpen(String tier) {
    FAIL_OPEN.withTags("tier", tag(tier)).increment();
  }

  /** A bus request to {@code address} timed out (counted by {@code Bus.request}). */
  public static void busReplyTimeout(String address) {
    BUS_TIMEOUTS.withTags("address", tag(address)).increment();
  }

  /** The rescuer did something: kind names what (requeued, failed_deadline, failed_attempts, ...). */
  public static void rescuerAction(String kind) {
    RESCUER.withTags("kind", tag(kind)).increment();
  }

  /** A Telegram message of {@code event} was delivered. */
  public static void notificationSent(String event) {
    NOTIFY_SENT.withTags("event", tag(event)).increment();
  }

  /** A delivery will be tried again; cause: rate_limited, server_error, network, misconfigured. */
  public static void notificationRetried(String cause) {
    NOTIFY_RETRIED.withTags("cause", tag(cause)).increment();
  }

  /** A message was given up; reason: rejected (by Telegram) or exhausted (attempts). */
  public static void notificationFailed(String reason) {
    NOTIFY_FAILED.withTags("reason", tag(reason)).increment();
  }

  /** Where the outbox-backlog gauge reads from; a later call replaces the earlier source. */
  public static void outboxBacklog(Supplier<? extends Number> source) {
    BACKLOG.set(source);
  }

  private static MeterProvider<Counter> counter(String name, String description) {
    return Counter.builder(name).description(description).withRegistry(REGISTRY);
  }

  /**
   * A gauge registered once per process that reads whatever source was set last: a module deployed again (tests)
   * replaces its supplier instead of leaving a stale one behind.
   */
  private static AtomicReference<Supplier<? extends Number>> gauge(String name, String description) {
    AtomicReference<Supplier<? extends Number>> source = new AtomicReference<>(() -> Double.NaN);
    Gauge.builder(name, source, GengateMetrics::read).description(description).strongReference(true)
        .register(REGISTRY);
    return source;
  }

  private static double read(AtomicReference<Supplier<? extends Number>> source) {
    try {
      Number value = source.get().get();
      return value == null ? Double.NaN : value.doubleValue();
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  private static String tag(String value) {
    return value == null || value.isEmpty() ? "none" : value;
  }

  private static Duration millis(long ms) {
    return Duration.ofMillis(ms);
  }
}
