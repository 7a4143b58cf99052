package dev.gengate.generation;

import static dev.gengate.testing.Generations.awaitEnd;
import static dev.gengate.testing.Generations.awaitStatus;
import static dev.gengate.testing.Generations.cancel;
import static dev.gengate.testing.Generations.eventually;
import static dev.gengate.testing.Generations.start;
import static dev.gengate.testing.Generations.startCallingProvider;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.Db;
import dev.gengate.testing.FakeImagesServer;
import dev.gengate.testing.RunningService;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Deadlines and crash rescue, with one executor slot ({@code generation.concurrency: 1}) so work can be held
 * pending, a short lease and a fast rescuer. Dead workers are staged by editing rows in the test database.
 */
class GenerationRescueTest {
  private static final String UNFINISHED = "SELECT count(*) FROM generations WHERE status IN ('pending', 'processing')";

  private static FakeImagesServer fake;

  @RegisterExtension
  static final RunningService service = new RunningService(vertx -> {
    // Work other test classes left running belongs to Vert.x instances that are gone: let the start-up rescue
    // settle it at once instead of after their leases run out, so it does not occupy the single slot later.
    Db.update("UPDATE generations SET lease_expires_at = now() - interval '1 second' WHERE status = 'processing'");
    fake = FakeImagesServer.start(vertx);
    return new JsonObject()
        .put("limits", new JsonObject().put("free", new JsonObject().put("maxActive", 100).put("perMinute", 100_000)))
        .put("models", new JsonObject().put("hanging", new JsonObject().put("provider", "openai-images")
            .put("price", 1).put("timeout", "20s").put("baseUrl", fake.baseUrl())))
        .put("generation", new JsonObject().put("concurrency", 1).put("lease", "1s").put("rescueInterval", "200ms")
            .put("pollInterval", "100ms").put("maxAttempts", 3));
  }).checkingLedgerAfterEach();

  @BeforeEach
  void nothingElseIsRunning() {
    eventually("no unfinished generations", () -> Db.count(UNFINISHED) == 0);
  }

  @Test
  void pendingGenerationPastItsDeadlineFailsWithTimeoutWithoutCallingTheProvider() throws InterruptedException {
    TestUser user = service.api().createUser(10);
    String blocker = start(service.api(), user.apiKey(), "hang in the only slot", "hanging");
    awaitStatus(blocker, "processing");
    String waiting = start(service.api(), user.apiKey(), "hang never called", "hanging");
    Thread.sleep(500); // several poll intervals: the slot is taken, so it stays pending
    assertThat(Db.status(waiting)).isEqualTo("pending");

    Db.update("UPDATE generations SET timeout_at = now() - interval '1 second' WHERE id = ?::uuid", waiting);
    JsonObject done = awaitEnd(service.api(), user.apiKey(), waiting);

    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getJsonObject("error").getString("code")).isEqualTo("TIMEOUT");
    assertThat(done.getValue("startedAt")).isNull();
    assertThat(fake.requests("hang never called")).isZero();
    assertThat(Db.refunds(waiting)).isEqualTo(1);
    assertThat(cancel(service.api(), user.apiKey(), blocker).status()).isEqualTo(200);
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getLong("credits")).isEqualTo(10);
  }

  @Test
  void expiredLeaseGoesBackToPendingAndFailsWithARefundOnceAttemptsAreExhausted() {
    TestUser user = service.api().createUser(10);
    String prompt = "hang and get rescued";
    String id = startCallingProvider(service.api(), user.apiKey(), prompt, "hanging", fake); // attempt 1

    // The worker holding attempt 1 dies: its lease belongs to a process that is gone and has run out.
    Db.update("UPDATE generations SET lease_owner = 'dead-worker', lease_expires_at = now() - interval '1 second'"
        + " WHERE id = ?::uuid", id);

    eventually("attempt 2 to run here", () -> Db.count("SELECT count(*) FROM generations WHERE id = ?::uuid"
        + " AND status = 'processing' AND attempts = 2 AND lease_owner LIKE ?", id, GenerationVerticle.PROCESS_ID + "/%")
        == 1);
    eventually("the provider to be called again", () -> fake.requests(prompt) == 2);
    eventually("the lost attempt's request to be aborted", () -> fake.aborted(prompt) == 1);
    assertThat(Db.refunds(id)).isZero();
    assertThat(Db.charges(id)).isEqualTo(1);

    // Now the last allowed attempt dies as well.
    Db.update("UPDATE generations SET lease_owner = 'dead-worker', lease_expires_at = now() - interval '1 second',"
        + " attempts = 3 WHERE id = ?::uuid", id);
    JsonObject done = awaitEnd(service.api(), user.apiKey(), id);

    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getJsonObject("error").getString("code")).isEqualTo("INTERNAL_ERROR");
    assertThat(Db.refunds(id)).isEqualTo(1);
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getLong("credits")).isEqualTo(10);
    eventually("the running attempt's request to be aborted", () -> fake.aborted(prompt) == 2);
    assertThat(fake.requests(prompt)).isEqualTo(2);
  }
}
