package dev.gengate.generation;

import static dev.gengate.testing.Generations.awaitEnd;
import static dev.gengate.testing.Generations.awaitStatus;
import static dev.gengate.testing.Generations.cancel;
import static dev.gengate.testing.Generations.eventually;
import static dev.gengate.testing.Generations.get;
import static dev.gengate.testing.Generations.start;
import static dev.gengate.testing.Generations.startCallingProvider;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.testing.Api;
import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.Db;
import dev.gengate.testing.FakeImagesServer;
import dev.gengate.testing.Generations;
import dev.gengate.testing.RunningService;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Execution end to end: providers, failures and refunds, deadlines, cancellation, waiting, images, listing. */
class GenerationExecutionApiTest {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private static FakeImagesServer fake;
  private static WebClient raw;

  @RegisterExtension
  static final RunningService service = new RunningService(vertx -> {
    fake = FakeImagesServer.start(vertx);
    JsonObject fakeModel = new JsonObject().put("provider", "openai-images").put("price", 2).put("timeout", "1500ms")
        .put("baseUrl", fake.baseUrl() + "/").put("apiKey", "sk-test").put("upstreamModel", "fake-v1");
    return new JsonObject()
        .put("limits", new JsonObject()
            .put("free", new JsonObject().put("maxActive", 1000).put("perMinute", 100_000)))
        .put("models", new JsonObject()
            .put("demo", new JsonObject().put("provider", "demo").put("price", 1).put("timeout", "5s")
                .put("delay", "50ms"))
            .put("instant", new JsonObject().put("provider", "demo").put("price", 1).put("timeout", "5s")
                .put("delay", "0ms"))
            .put("unhurried", new JsonObject().put("provider", "demo").put("price", 1).put("timeout", "5s")
                .put("delay", "600ms"))
            .put("fake", fakeModel)
            .put("fake-patient", fakeModel.copy().put("timeout", "10s")))
        .put("generation", new JsonObject().put("pollInterval", "100ms").put("rescueInterval", "300ms"));
  }).checkingLedgerAfterEach();

  @BeforeAll
  static void rawClient() {
    raw = WebClient.create(service.vertx());
  }

  @Test
  void demoRendersPngsStoredAndServedToTheOwnerOnly() throws Exception {
    TestUser owner = service.api().createUser(10);
    JsonObject body = Generations.body("a red fox in the snow", "demo")
        .put("params", new JsonObject().put("n", 2).put("size", "128x96"));
    String id = Generations.create(service.api(), owner.apiKey(), body, null).json().getString("id");
    JsonObject done = awaitEnd(service.api(), owner.apiKey(), id);

    assertThat(done.getString("status")).isEqualTo("completed");
    assertThat(done.getString("startedAt")).isNotNull();
    assertThat(done.getString("finishedAt")).isNotNull();
    assertThat(done.getValue("error")).isNull();
    assertThat(done.getJsonObject("result")).isEqualTo(new JsonObject().put("images", new JsonArray()
        .add(new JsonObject().put("url", "/v1/generations/" + id + "/images/0"))
        .add(new JsonObject().put("url", "/v1/generations/" + id + "/images/1"))));
    HttpResponse<Buffer> image = image(id, 0, owner.apiKey());
    assertThat(image.statusCode()).isEqualTo(200);
    assertThat(image.getHeader("Content-Type")).isEqualTo("image/png");
    byte[] png = image.body().getBytes();
    assertThat(Arrays.copyOf(png, 8)).isEqualTo(PNG_SIGNATURE);
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(decoded.getWidth()).isEqualTo(128);
    assertThat(decoded.getHeight()).isEqualTo(96);

    TestUser stranger = service.api().createUser(0);
    assertThat(image(id, 0, stranger.apiKey()).statusCode()).isEqualTo(404);
    assertThat(image(id, 2, owner.apiKey()).statusCode()).isEqualTo(404);
    assertThat(image(id, 0, null).statusCode()).isEqualTo(401);
    JsonObject me = service.api().get("/v1/me", owner.apiKey()).json();
    assertThat(me.getLong("credits")).isEqualTo(9);
    assertThat(me.getInteger("activeGenerations")).isZero();
    assertThat(Db.refunds(id)).isZero();
  }

  @Test
  void demoPictureVisiblyDependsOnThePrompt() {
    TestUser user = service.api().createUser(10);
    String fox = start(service.api(), user.apiKey(), "a red fox", "instant");
    String whale = start(service.api(), user.apiKey(), "a blue whale", "instant");
    String foxAgain = start(service.api(), user.apiKey(), "a red fox", "instant");
    awaitEnd(service.api(), user.apiKey(), fox);
    awaitEnd(service.api(), user.apiKey(), whale);
    awaitEnd(service.api(), user.apiKey(), foxAgain);

    byte[] foxPng = image(fox, 0, user.apiKey()).body().getBytes();
    assertThat(image(whale, 0, user.apiKey()).body().getBytes()).isNotEqualTo(foxPng);
    assertThat(image(foxAgain, 0, user.apiKey()).body().getBytes()).isEqualTo(foxPng);
  }

  @Test
  void openAiB64ImagesAreStoredAndUrlsKeptAsGiven() {
    TestUser user = service.api().createUser(10);
    String stored = start(service.api(), user.apiKey(), "b64 a cat", "fake");
    String linked = start(service.api(), user.apiKey(), "url a dog", "fake");

    JsonObject storedDone = awaitEnd(service.api(), user.apiKey(), stored);
    assertThat(storedDone.getString("status")).isEqualTo("completed");
    assertThat(storedDone.getJsonObject("result").getJsonArray("images").getJsonObject(0).getString("url"))
        .isEqualTo("/v1/generations/" + stored + "/images/0");
    assertThat(image(stored, 0, user.apiKey()).body().getBytes()).isEqualTo(FakeImagesServer.PNG);
    JsonObject linkedDone = awaitEnd(service.api(), user.apiKey(), linked);
    assertThat(linkedDone.getJsonObject("result").getJsonArray("images").getJsonObject(0).getString("url"))
        .isEqualTo(FakeImagesServer.REMOTE_URL);

    JsonObject request = fake.bodies().stream().filter(b -> b.getString("prompt").equals("b64 a cat")).findFirst()
        .orElseThrow();
    assertThat(request).isEqualTo(new JsonObject().put("model", "fake-v1").put("prompt", "b64 a cat").put("n", 1)
        .put("size", "1024x1024"));
    assertThat(fake.authorizations()).contains("Bearer sk-test");
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getLong("credits")).isEqualTo(6);
  }

  @ParameterizedTest
  @ValueSource(strings = {"status500", "malformed", "empty"})
  void providerErrorFailsTheGenerationAndRefundsItExactlyOnce(String behaviour) {
    TestUser user = service.api().createUser(10);
    String id = start(service.api(), user.apiKey(), behaviour + " picture", "fake");
    JsonObject done = awaitEnd(service.api(), user.apiKey(), id);

    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getJsonObject("error").getString("code")).isEqualTo("PROVIDER_ERROR");
    assertThat(done.getJsonObject("error").getString("message")).isNotBlank();
    assertThat(done.getValue("result")).isNull();
    assertThat(Db.refunds(id)).isEqualTo(1);
    JsonObject me = service.api().get("/v1/me", user.apiKey()).json();
    assertThat(me.getLong("credits")).isEqualTo(10);
    assertThat(me.getInteger("activeGenerations")).isZero();
  }

  @Test
  void hangingProviderTimesOutAtTheDeadlineIsRefundedAndItsRequestAborted() {
    TestUser user = service.api().createUser(10);
    long started = System.nanoTime();
    String id = start(service.api(), user.apiKey(), "hang forever", "fake");
    JsonObject done = awaitEnd(service.api(), user.apiKey(), id);
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getJsonObject("error").getString("code")).isEqualTo("TIMEOUT");
    assertThat(tookMillis).isBetween(1_300L, 4_000L);
    assertThat(Db.refunds(id)).isEqualTo(1);
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getLong("credits")).isEqualTo(10);
    eventually("the provider request to be aborted", () -> fake.aborted("hang forever") == 1);

    // An answer due after the deadline never comes back: the request is aborted at the deadline.
    String late = "late:2000 too late";
    String lateId = start(service.api(), user.apiKey(), late, "fake");
    assertThat(awaitEnd(service.api(), user.apiKey(), lateId).getJsonObject("error").getString("code"))
        .isEqualTo("TIMEOUT");
    eventually("the late request to be aborted", () -> fake.aborted(late) == 1);
    assertThat(fake.answeredLate(late)).isZero();
    assertThat(Db.refunds(lateId)).isEqualTo(1);
  }

  /**
   * The answer really arrives after the generation ended: the deadline is moved into the past while the provider
   * works, the rescuer fails the generation with TIMEOUT, then the provider answers and the executor tries to
   * complete it; the guarded UPDATE touches no row.
   */
  @Test
  void providerAnswerArrivingAfterTheGenerationTimedOutIsDiscarded() throws InterruptedException {
    TestUser user = service.api().createUser(10);
    String prompt = "late:1500 owl";
    String id = start(service.api(), user.apiKey(), prompt, "fake-patient");
    awaitStatus(id, "processing");
    Db.update("UPDATE generations SET timeout_at = now() - interval '1 second' WHERE id = ?::uuid", id);

    JsonObject done = awaitEnd(service.api(), user.apiKey(), id);
    assertThat(done.getJsonObject("error").getString("code")).isEqualTo("TIMEOUT");
    assertThat(fake.answeredLate(prompt)).isZero();
    eventually("the late answer to be sent", () -> fake.answeredLate(prompt) == 1);
    Thread.sleep(300); // the executor receives it and tries to complete
    JsonObject after = get(service.api(), user.apiKey(), id, null).json();
    assertThat(after.getString("status")).isEqualTo("failed");
    assertThat(after.getValue("result")).isNull();
    assertThat(Db.count("SELECT count(*) FROM generation_images WHERE generation_id = ?::uuid", id)).isZero();
    assertThat(Db.refunds(id)).isEqualTo(1);
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getLong("credits")).isEqualTo(10);
  }

  @Test
  void cancelRefundsAbortsTheProviderCallAndOnlyWorksOnce() {
    TestUser user = service.api().createUser(10);
    String prompt = "hang until cancelled";
    String id = startCallingProvider(service.api(), user.apiKey(), prompt, "fake", fake);

    Reply cancelled = cancel(service.api(), user.apiKey(), id);

    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(cancelled.json().getString("status")).isEqualTo("cancelled");
    assertThat(cancelled.json().getJsonObject("error").getString("code")).isEqualTo("CANCELLED");
    assertThat(cancelled.json().getString("finishedAt")).isNotNull();
    assertThat(Db.refunds(id)).isEqualTo(1);
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getLong("credits")).isEqualTo(10);
    eventually("the provider request to be aborted", () -> fake.aborted(prompt) == 1);

    Reply again = cancel(service.api(), user.apiKey(), id);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().getString("code")).isEqualTo("GENERATION_NOT_CANCELLABLE");
    assertThat(again.json().getString("status")).isEqualTo("cancelled");
    String completed = start(service.api(), user.apiKey(), "done already", "instant");
    awaitEnd(service.api(), user.apiKey(), completed);
    assertThat(cancel(service.api(), user.apiKey(), completed).json().getString("status")).isEqualTo("completed");
    assertThat(cancel(service.api(), service.api().createUser(0).apiKey(), completed).status()).isEqualTo(404);
    assertThat(cancel(service.api(), user.apiKey(), "00000000-0000-0000-0000-000000000000").status()).isEqualTo(404);
    assertThat(Db.refunds(id)).isEqualTo(1);
  }

  /**
   * Cancel races completion: 100 generations on a zero-delay provider, each cancelled twice concurrently 1-31 ms
   * after creation, 10 at a time. Whatever wins, a generation is refunded at most once, and exactly when it ended
   * cancelled.
   */
  @Test
  void cancelRacingCompletionNeverRefundsTwice() {
    TestUser user = service.api().createUser(1_000);
    List<String> ids = new ArrayList<>();
    int cancelledWins = 0;
    int completedWins = 0;
    for (int batch = 0; batch < 10; batch++) {
      List<Future<List<Reply>>> round = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        int delay = batch * 10 + i;
        round.add(service.api().send(HttpMethod.POST, "/v1/generations", user.apiKey(),
                Generations.body("race " + batch + "-" + i, "instant"))
            .compose(created -> {
              String id = created.json().getString("id");
              synchronized (ids) {
                ids.add(id);
              }
              String path = "/v1/generations/" + id + "/cancel";
              // Staggered so that both orders happen: cancel first, or the render first.
              return service.vertx().timer(1 + (delay * 7L) % 31)
                  .compose(t -> Future.all(service.api().send(HttpMethod.POST, path, user.apiKey(), (JsonObject) null),
                      service.api().send(HttpMethod.POST, path, user.apiKey(), (JsonObject) null)))
                  .map(both -> List.<Reply>of(both.resultAt(0), both.resultAt(1)));
            }));
      }
      for (Future<List<Reply>> future : round) {
        List<Reply> cancels = Api.await(future);
        long ok = cancels.stream().filter(r -> r.status() == 200).count();
        assertThat(ok).as("successful cancels of one generation").isLessThanOrEqualTo(1);
        assertThat(cancels).allSatisfy(r -> assertThat(r.status()).isIn(200, 409));
        if (ok == 1) {
          cancelledWins++;
        } else {
          completedWins++;
        }
      }
    }
    for (String id : ids) {
      String status = awaitEnd(service.api(), user.apiKey(), id).getString("status");
      assertThat(status).isIn("completed", "cancelled");
      assertThat(Db.refunds(id)).as("refunds of " + id).isEqualTo(status.equals("cancelled") ? 1 : 0);
    }
    assertThat(ids).hasSize(100);
    System.out.printf("cancel vs completion: %d cancelled, %d completed first%n", cancelledWins, completedWins);
    // The race was really run: each side won sometimes.
    assertThat(cancelledWins).as("cancel won").isPositive();
    assertThat(completedWins).as("completion won").isPositive();
    assertThat(Db.count("SELECT count(*) FROM generations WHERE user_id = ?::uuid AND status = 'cancelled'",
        user.id())).isEqualTo(cancelledWins);
  }

  @Test
  void preferWaitAnswersAsSoonAsTheGenerationEnds() {
    TestUser user = service.api().createUser(10);
    String id = start(service.api(), user.apiKey(), "take your time", "unhurried");
    long started = System.nanoTime();
    Reply reply = get(service.api(), user.apiKey(), id, "wait=10");
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().getString("status")).isEqualTo("completed");
    assertThat(reply.header("Preference-Applied")).isEqualTo("wait=10");
    assertThat(tookMillis).isLessThan(3_000);
    // Already terminal: answered at once; N above http.maxWait is capped.
    Reply capped = get(service.api(), user.apiKey(), id, "respond-async, wait=600");
    assertThat(capped.header("Preference-Applied")).isEqualTo("wait=60");
    assertThat(get(service.api(), user.apiKey(), id, null).header("Preference-Applied")).isNull();
  }

  @Test
  void preferWaitGivesUpAfterNSecondsWithTheCurrentState() {
    TestUser user = service.api().createUser(10);
    String id = start(service.api(), user.apiKey(), "hang while waiting", "fake");
    awaitStatus(id, "processing");
    long started = System.nanoTime();
    Reply reply = get(service.api(), user.apiKey(), id, "wait=1");
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(reply.json().getString("status")).isEqualTo("processing");
    assertThat(tookMillis).isBetween(900L, 2_500L);
    cancel(service.api(), user.apiKey(), id);
  }

  @Test
  void anotherUsersGenerationIsNotFound() {
    TestUser owner = service.api().createUser(10);
    String id = start(service.api(), owner.apiKey(), "private", "instant");
    TestUser stranger = service.api().createUser(10);

    assertThat(get(service.api(), stranger.apiKey(), id, null).status()).isEqualTo(404);
    assertThat(get(service.api(), stranger.apiKey(), id, "wait=5").status()).isEqualTo(404);
    assertThat(get(service.api(), owner.apiKey(), "not-a-uuid", null).status()).isEqualTo(404);
    assertThat(get(service.api(), owner.apiKey(), "00000000-0000-0000-0000-000000000000", null).status())
        .isEqualTo(404);
    assertThat(get(service.api(), owner.apiKey(), id, null).status()).isEqualTo(200);
  }

  @Test
  void listIsNewestFirstWithAnOpaqueCursorAndAStatusFilter() {
    TestUser user = service.api().createUser(10);
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(start(service.api(), user.apiKey(), "list " + i, "instant"));
    }
    String failed = start(service.api(), user.apiKey(), "status500 in the list", "fake");
    created.forEach(id -> awaitEnd(service.api(), user.apiKey(), id));
    awaitEnd(service.api(), user.apiKey(), failed);
    service.api().createUser(10); // someone else's generations never show up
    List<String> newestFirst = new ArrayList<>(created);
    newestFirst.add(failed);
    java.util.Collections.reverse(newestFirst);

    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Reply page = service.api().get("/v1/generations?limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
          user.apiKey());
      assertThat(page.status()).isEqualTo(200);
      page.json().getJsonArray("items").forEach(item -> seen.add(((JsonObject) item).getString("id")));
      cursor = page.json().getString("nextCursor");
      pages++;
    } while (cursor != null);
    assertThat(seen).containsExactlyElementsOf(newestFirst);
    assertThat(pages).isEqualTo(3);

    JsonArray completed = service.api().get("/v1/generations?status=completed", user.apiKey()).json()
        .getJsonArray("items");
    Set<String> completedIds = new HashSet<>();
    completed.forEach(item -> completedIds.add(((JsonObject) item).getString("id")));
    assertThat(completedIds).containsExactlyInAnyOrderElementsOf(created);
    assertThat(service.api().get("/v1/generations?status=failed", user.apiKey()).json().getJsonArray("items").size())
        .isEqualTo(1);

    for (String bad : List.of("status=refunded", "limit=0", "limit=101", "limit=x", "cursor=bm90LWEtY3Vyc29y",
        "cursor=%%%")) {
      Reply reply = service.api().get("/v1/generations?" + bad, user.apiKey());
      assertThat(reply.status()).as(bad).isEqualTo(400);
      assertThat(reply.json().getString("code")).isEqualTo("VALIDATION_ERROR");
    }
  }

  private static HttpResponse<Buffer> image(String id, int n, String apiKey) {
    var request = raw.get(service.port(), "127.0.0.1", "/v1/generations/" + id + "/images/" + n);
    if (apiKey != null) {
      request.putHeader("Authorization", "Bearer " + apiKey);
    }
    return Api.await(request.send());
  }
}
