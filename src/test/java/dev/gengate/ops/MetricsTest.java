package dev.gengate.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.common.Bus;
import dev.gengate.common.metrics.GengateMetrics;
import dev.gengate.common.metrics.Metrics;
import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.RunningService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /metrics}: Vert.x meters of a Vert.x built by {@link Metrics}, plus gengate's business meters. */
class MetricsTest {
  @RegisterExtension
  static final RunningService service = new RunningService().on(Metrics::newVertx);

  @Test
  void exposesVertxHttpEventBusPoolAndJvmMetrics() {
    service.api().get("/health/ready", null);
    service.api().get("/v1/me", null);
    Reply reply = service.api().get("/metrics", null);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("Content-Type")).startsWith("text/plain");
    assertThat(reply.text())
        .contains("vertx_http_server_requests_total{")
        .contains("route=\"/v1/me\"")
        .contains("vertx_eventbus_sent_total{address=\"ledger.ping\"")
        .contains("vertx_pool_")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void businessMetersAreRegisteredWithTheirPrometheusNames() {
    GengateMetrics.generationCreated("demo");
    GengateMetrics.generationFinished("demo", "completed");
    GengateMetrics.creditsCharged("demo", 5);
    GengateMetrics.creditsRefunded("demo", 2);
    GengateMetrics.activeGenerations(() -> 7);
    GengateMetrics.providerLatency("demo", "success", Duration.ofMillis(300));
    GengateMetrics.rateLimitRejected("free");
    GengateMetrics.rateLimitFailOpen("free");
    GengateMetrics.rescuerAction("requeued");
    GengateMetrics.notificationSent("completed");
    GengateMetrics.outboxBacklog(() -> 3);

    String text = service.api().get("/metrics", null).text();
    assertThat(text)
        .contains("gengate_generations_accepted_total{model=\"demo\"}")
        .contains("gengate_generations_finished_total{model=\"demo\",status=\"completed\"}")
        .contains("gengate_credits_charged_total{model=\"demo\"}")
        .contains("gengate_credits_refunded_total{model=\"demo\"}")
        .contains("gengate_generations_active 7.0")
        .contains("gengate_provider_latency_seconds_bucket{model=\"demo\",outcome=\"success\",le=\"0.5\"}")
        .contains("gengate_ratelimit_rejected_total{tier=\"free\"}")
        .contains("gengate_ratelimit_failopen_total{tier=\"free\"}")
        .contains("gengate_rescuer_actions_total{kind=\"requeued\"}")
        .contains("gengate_notify_sent_total{event=\"completed\"}")
        .contains("gengate_notify_backlog 3.0");
  }

  @Test
  void busReplyTimeoutsAreCountedByAddress() throws Exception {
    service.vertx().eventBus().consumer("ops.test.silent", message -> { /* never answers */ });
    double before = timeouts("ops.test.silent");
    Throwable failure = Bus.request(service.vertx(), "ops.test.silent", "hello", Duration.ofMillis(20))
        .transform(done -> io.vertx.core.Future.succeededFuture(done.cause()))
        .await(10, TimeUnit.SECONDS);
    assertThat(failure).isNotNull();
    assertThat(timeouts("ops.test.silent")).isEqualTo(before + 1);
    assertThat(service.api().get("/metrics", null).text())
        .contains("gengate_bus_reply_timeouts_total{address=\"ops.test.silent\"}");
  }

  private static double timeouts(String address) {
    var counter = Metrics.registry().find("gengate.bus.reply.timeouts").tag("address", address).counter();
    return counter == null ? 0 : counter.count();
  }
}
