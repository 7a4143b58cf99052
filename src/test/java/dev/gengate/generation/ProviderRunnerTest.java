package dev.gengate.generation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.common.AppError;
import dev.gengate.common.config.ConfigReader;
import dev.gengate.generation.GenerationApi.CancelExecution;
import dev.gengate.generation.GenerationApi.Execute;
import dev.gengate.provider.ModelCatalog;
import dev.gengate.provider.ProviderCall;
import dev.gengate.provider.ProviderResult;
import dev.gengate.provider.Providers;
import dev.gengate.testing.FakeImagesServer;
import dev.gengate.testing.Generations;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The provider runner on its own, against the fake OpenAI Images server: cancels reach the upstream request. */
class ProviderRunnerTest {
  private Vertx vertx;
  private FakeImagesServer fake;
  private ProviderRunner runner;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    fake = FakeImagesServer.start(vertx);
    ModelCatalog catalog = ModelCatalog.from(new ConfigReader(new JsonObject()
        .put("defaultModel", "fake")
        .put("models", new JsonObject().put("fake", new JsonObject().put("provider", "openai-images")
            .put("price", 1).put("timeout", "10s").put("baseUrl", fake.baseUrl())))));
    runner = new ProviderRunner(vertx, new Providers(vertx, catalog));
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private static Execute execute(UUID id, int attempt, String prompt) {
    return new Execute(id, attempt, "fake", prompt, new JsonObject(), 5000);
  }

  private static boolean aborted(Future<ProviderResult> result) throws Exception {
    try {
      result.await(5, TimeUnit.SECONDS);
      return false;
    } catch (Exception failure) {
      return ProviderCall.isAborted(AppError.from(failure));
    }
  }

  @Test
  void cancelAbortsTheRunningUpstreamRequest() throws Exception {
    UUID id = UUID.randomUUID();
    Future<ProviderResult> result = runner.execute(execute(id, 1, "hang while running"));
    Generations.eventually("the upstream request", () -> fake.requests("hang while running") == 1);

    runner.cancel(new CancelExecution(id, null));

    assertThat(aborted(result)).isTrue();
    Generations.eventually("the upstream request to be aborted", () -> fake.aborted("hang while running") == 1);
  }

  @Test
  void cancelThatOvertakesTheExecutionStopsItBeforeTheProviderIsCalled() throws Exception {
    UUID id = UUID.randomUUID();
    runner.cancel(new CancelExecution(id, null));

    assertThat(aborted(runner.execute(execute(id, 1, "hang never sent")))).isTrue();
    assertThat(fake.requests("hang never sent")).isZero();
  }

  @Test
  void cancelOfAnotherAttemptLeavesANewAttemptAlone() throws Exception {
    UUID id = UUID.randomUUID();
    runner.cancel(new CancelExecution(id, 1));

    Future<ProviderResult> second = runner.execute(execute(id, 2, "b64 second attempt"));
    assertThat(second.await(5, TimeUnit.SECONDS).images()).hasSize(1);
  }
}
