package dev.gengate.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.common.metrics.Metrics;
import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.Generations;
import dev.gengate.testing.RunningService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The business meters move with real work: a completed and a failed generation, through the HTTP API. */
class BusinessMetricsTest {
  @RegisterExtension
  static final RunningService service = new RunningService(new JsonObject().put("models", new JsonObject()
      .put("quick", new JsonObject().put("provider", "demo").put("price", 1).put("timeout", "5s").put("delay", "0ms"))
      .put("stuck", new JsonObject().put("provider", "demo").put("price", 2).put("timeout", "300ms")
          .put("delay", "20s"))))
      .checkingLedgerAfterEach();

  private static double counter(String name, String... tags) {
    Counter counter = Metrics.registry().find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  private static long timerCount(String name, String... tags) {
    Timer timer = Metrics.registry().find(name).tags(tags).timer();
    return timer == null ? 0 : timer.count();
  }

  private static void runToTheEnd(TestUser user, String model) {
    String id = Generations.start(service.api(), user.apiKey(), "metered", model);
    Generations.awaitEnd(service.api(), user.apiKey(), id);
  }

  @Test
  void aCompletedGenerationIsCountedChargedAndTimed() {
    double accepted = counter("gengate.generations.accepted", "model", "quick");
    double completed = counter("gengate.generations.finished", "model", "quick", "status", "completed");
    double charged = counter("gengate.credits.charged", "model", "quick");
    long calls = timerCount("gengate.provider.latency", "model", "quick", "outcome", "success");

    runToTheEnd(service.api().createUser(5), "quick");

    assertThat(counter("gengate.generations.accepted", "model", "quick")).isEqualTo(accepted + 1);
    assertThat(counter("gengate.generations.finished", "model", "quick", "status", "completed"))
        .isEqualTo(completed + 1);
    assertThat(counter("gengate.credits.charged", "model", "quick")).isEqualTo(charged + 1);
    assertThat(timerCount("gengate.provider.latency", "model", "quick", "outcome", "success")).isEqualTo(calls + 1);
  }

  @Test
  void aFailedGenerationIsCountedAndItsRefundToo() {
    double failed = counter("gengate.generations.finished", "model", "stuck", "status", "failed");
    double refunded = counter("gengate.credits.refunded", "model", "stuck");

    runToTheEnd(service.api().createUser(5), "stuck");

    assertThat(counter("gengate.generations.finished", "model", "stuck", "status", "failed")).isEqualTo(failed + 1);
    assertThat(counter("gengate.credits.refunded", "model", "stuck")).isEqualTo(refunded + 2);
  }
}
