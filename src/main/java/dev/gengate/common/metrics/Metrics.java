package dev.gengate.common.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

/**
 * The process's one Prometheus registry, and the way to build a Vert.x instance that reports into it.
 *
 * <p>{@link #registry()} always answers, so business code can record whether or not the Vert.x instance it
 * runs in was built here (tests often use a plain {@code Vertx.vertx()}: their business meters still work,
 * only the Vert.x HTTP/event-bus/pool meters are missing). {@code GET /metrics} scrapes this registry.
 *
 * <p>Several Vert.x instances built here in one JVM (tests) share the registry; their meters add up.
 */
public final class Metrics {
  private static final PrometheusMeterRegistry REGISTRY = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private Metrics() {}

  public static PrometheusMeterRegistry registry() {
    return REGISTRY;
  }

  /** A Vert.x instance with default options whose HTTP, event-bus, pool and JVM meters go to {@link #registry()}. */
  public static Vertx newVertx() {
    return newVertx(new VertxOptions());
  }

  /** A Vert.x instance with these options (their metrics options are replaced) reporting to {@link #registry()}. */
  public static Vertx newVertx(VertxOptions options) {
    return Vertx.builder()
        .with(new VertxOptions(options).setMetricsOptions(metricsOptions()))
        .withMetrics(new MicrometerMetricsFactory(REGISTRY))
        .build();
  }

  /**
   * Low-cardinality labels only: the route template (never the raw path, which carries ids), method and status
   * for HTTP; the address (a fixed set of module addresses; reply addresses are not measured) and failure type
   * for the event bus; pool type and name for the PostgreSQL/Redis/worker pools.
   */
  static MicrometerMetricsOptions metricsOptions() {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .addLabels(Label.HTTP_ROUTE, Label.EB_ADDRESS, Label.EB_FAILURE);
  }
}
