package dev.gengate.generation;

import static dev.gengate.testing.Generations.awaitEnd;
import static dev.gengate.testing.Generations.body;
import static dev.gengate.testing.Generations.cancel;
import static dev.gengate.testing.Generations.create;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.testing.Api;
import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.Db;
import dev.gengate.testing.FakeImagesServer;
import dev.gengate.testing.Generations;
import dev.gengate.testing.RunningService;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** POST /v1/generations: validation, credits and slots, idempotency, and the races around them. */
class GenerationCreateApiTest {
  private static FakeImagesServer fake;

  @RegisterExtension
  static final RunningService service = new RunningService(vertx -> {
    fake = FakeImagesServer.start(vertx);
    return new JsonObject()
        .put("limits", new JsonObject()
            .put("free", new JsonObject().put("maxActive", 2).put("perMinute", 100_000))
            .put("premium", new JsonObject().put("maxActive", 1000).put("perMinute", 100_000)))
        .put("models", new JsonObject()
            .put("demo", new JsonObject().put("provider", "demo").put("price", 1).put("timeout", "5s")
                .put("delay", "50ms"))
            .put("slow", new JsonObject().put("provider", "demo").put("price", 2).put("timeout", "10s")
                .put("delay", "3s"))
            .put("fake", new JsonObject().put("provider", "openai-images").put("price", 3).put("timeout", "3s")
                .put("baseUrl", fake.baseUrl()).put("apiKey", "sk-test")))
        .put("generation", new JsonObject().put("pollInterval", "100ms").put("rescueInterval", "500ms"));
  }).checkingLedgerAfterEach();

  @Test
  void createAnswers202WithLocationAndTheGenerationInTheDesignShape() {
    TestUser user = service.api().createUser(5);
    Instant before = Instant.now();
    Reply reply = create(service.api(), user.apiKey(), body("a red fox", null), "k-1");

    assertThat(reply.status()).isEqualTo(202);
    JsonObject g = reply.json();
    assertThat(g.fieldNames()).containsExactlyInAnyOrder("id", "status", "model", "prompt", "params",
        "creditsCharged", "idempotencyKey", "createdAt", "startedAt", "finishedAt", "timeoutAt", "result", "error");
    assertThat(reply.header("Location")).isEqualTo("/v1/generations/" + g.getString("id"));
    assertThat(g.getString("status")).isEqualTo("pending");
    assertThat(g.getString("model")).isEqualTo("demo");
    assertThat(g.getString("prompt")).isEqualTo("a red fox");
    assertThat(g.getJsonObject("params")).isEqualTo(new JsonObject());
    assertThat(g.getLong("creditsCharged")).isEqualTo(1);
    assertThat(g.getString("idempotencyKey")).isEqualTo("k-1");
    assertThat(g.getValue("startedAt")).isNull();
    assertThat(g.getValue("result")).isNull();
    assertThat(g.getValue("error")).isNull();
    Instant created = Instant.parse(g.getString("createdAt"));
    assertThat(created).isBetween(before.minusSeconds(5), Instant.now().plusSeconds(5));
    assertThat(Duration.between(created, Instant.parse(g.getString("timeoutAt")))).isEqualTo(Duration.ofSeconds(5));
    JsonObject me = service.api().get("/v1/me", user.apiKey()).json();
    assertThat(me.getLong("credits")).isEqualTo(4);
    assertThat(me.getLong("totalSpentCredits")).isEqualTo(1);
    assertThat(me.getLong("totalGenerations")).isEqualTo(1);

    assertThat(awaitEnd(service.api(), user.apiKey(), g.getString("id")).getString("status")).isEqualTo("completed");
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getInteger("activeGenerations")).isZero();
  }

  @Test
  void invalidRequestsAre400AndChargeNothing() {
    TestUser user = service.api().createUser(100);
    String key = user.apiKey();
    String emoji = "\uD83E\uDD8A"; // one code point, two UTF-16 units

    assertValidation(create(service.api(), key, body("", null), null), "prompt");
    assertValidation(create(service.api(), key, body("   \n\t", null), null), "prompt");
    assertValidation(create(service.api(), key, new JsonObject(), null), "prompt");
    assertValidation(create(service.api(), key, new JsonObject().put("prompt", 42), null), "prompt");
    assertValidation(create(service.api(), key, body(emoji.repeat(2001), null), null), "prompt");
    assertValidation(create(service.api(), key,
        body("x", null).put("params", new io.vertx.core.json.JsonArray().add(1)), null), "params");
    assertValidation(create(service.api(), key, body("x", null).put("params", new JsonObject().put("n", 5)), null),
        "params.n");
    assertValidation(create(service.api(), key, body("x", null).put("params", new JsonObject().put("size", "big")),
        null), "params.size");
    assertValidation(create(service.api(), key, body("x", null).put("params", new JsonObject().put("style", "vivid")),
        null), "params.style");
    assertValidation(create(service.api(), key, body("x", null).put("colour", "red"), null), "colour");
    assertValidation(create(service.api(), key, body("x", null), "k".repeat(65)), "Idempotency-Key");
    Reply malformed = service.api().call(HttpMethod.POST, "/v1/generations", key, "{\"prompt\": ",
        MultiMap.caseInsensitiveMultiMap());
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().getString("code")).isEqualTo("VALIDATION_ERROR");

    Reply unknown = create(service.api(), key, body("x", "dall-e-9"), null);
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().getString("code")).isEqualTo("UNKNOWN_MODEL");
    assertThat(unknown.json().getJsonArray("available").getList()).containsExactlyInAnyOrder("demo", "slow", "fake");
    assertThat(unknown.json().getString("message")).contains("dall-e-9").contains("demo, slow, fake");

    assertThat(service.api().get("/v1/me", key).json().getLong("credits")).isEqualTo(100);
    assertThat(Db.count("SELECT count(*) FROM generations WHERE user_id = ?::uuid", user.id())).isZero();

    // The limits themselves are accepted: 2000 code points (4000 UTF-16 units) and a 64-character key.
    assertThat(create(service.api(), key, body(emoji.repeat(2000), null), "k".repeat(64)).status()).isEqualTo(202);
    assertThat(create(service.api(), key,
        body("x", null).put("params", new JsonObject().put("n", 4).put("size", "64x2048")), null).status())
        .isEqualTo(202);
  }

  @Test
  void insufficientCreditsIs402WithRequiredAndAvailableAndInsertsNothing() {
    TestUser user = service.api().createUser(2);
    MultiMap russian = MultiMap.caseInsensitiveMultiMap().add("Accept-Language", "ru");
    Reply reply = service.api().call(HttpMethod.POST, "/v1/generations", user.apiKey(), body("x", "fake").encode(),
        russian);

    assertThat(reply.status()).isEqualTo(402);
    assertThat(reply.json().getString("code")).isEqualTo("INSUFFICIENT_CREDITS");
    assertThat(reply.json().getLong("required")).isEqualTo(3);
    assertThat(reply.json().getLong("available")).isEqualTo(2);
    assertThat(reply.json().getString("message")).contains("Недостаточно кредитов");
    assertThat(Db.count("SELECT count(*) FROM generations WHERE user_id = ?::uuid", user.id())).isZero();
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getLong("credits")).isEqualTo(2);
  }

  @Test
  void activeSlotsAreLimitedByTheUsersTierInTheSameStatementAsTheDebit() {
    TestUser free = service.api().createUser(10);
    String first = create(service.api(), free.apiKey(), body("one", "slow"), null).json().getString("id");
    String second = create(service.api(), free.apiKey(), body("two", "slow"), null).json().getString("id");
    Reply third = create(service.api(), free.apiKey(), body("three", "slow"), null);

    assertThat(third.status()).isEqualTo(429);
    assertThat(third.json().getString("code")).isEqualTo("TOO_MANY_ACTIVE_GENERATIONS");
    assertThat(third.json().getInteger("maxActive")).isEqualTo(2);
    assertThat(third.header("Retry-After")).isEqualTo("2");
    assertThat(service.api().get("/v1/me", free.apiKey()).json().getLong("credits")).isEqualTo(6);

    TestUser premium = service.api().createUser(new JsonObject().put("credits", 10).put("premium", true));
    for (int i = 0; i < 3; i++) {
      assertThat(create(service.api(), premium.apiKey(), body("p" + i, "slow"), null).status()).isEqualTo(202);
    }
    // A cancelled generation frees its slot at once.
    assertThat(cancel(service.api(), free.apiKey(), first).status()).isEqualTo(200);
    assertThat(create(service.api(), free.apiKey(), body("four", "slow"), null).status()).isEqualTo(202);
    cancel(service.api(), free.apiKey(), second);
  }

  @Test
  void fiftyConcurrentCreatesOnABalanceCoveringThreeChargeExactlyThree() {
    TestUser user = service.api().createUser(new JsonObject().put("credits", 3).put("premium", true));
    List<Future<Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      replies.add(service.api().send(HttpMethod.POST, "/v1/generations", user.apiKey(), body("race " + i, "demo")));
    }
    Map<Integer, Long> byStatus = replies.stream().map(Api::await)
        .collect(Collectors.groupingBy(Reply::status, Collectors.counting()));

    assertThat(byStatus).containsOnly(Map.entry(202, 3L), Map.entry(402, 47L));
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getLong("credits")).isZero();
    assertThat(Db.count("SELECT count(*) FROM generations WHERE user_id = ?::uuid", user.id())).isEqualTo(3);
    assertThat(Db.count("SELECT count(*) FROM ledger_entries WHERE user_id = ?::uuid AND type = 'CHARGE'",
        user.id())).isEqualTo(3);
  }

  @Test
  void twentyConcurrentRequestsWithOneKeyMakeOneGenerationAndOneCharge() {
    TestUser user = service.api().createUser(new JsonObject().put("credits", 100).put("premium", true));
    List<Future<Reply>> replies = new ArrayList<>();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Idempotency-Key", "same-key");
    for (int i = 0; i < 20; i++) {
      replies.add(service.api().send(HttpMethod.POST, "/v1/generations", user.apiKey(),
          body("one picture", "slow").encode(), headers));
    }
    List<Reply> answers = replies.stream().map(Api::await).toList();

    List<Reply> accepted = answers.stream().filter(r -> r.status() == 202).toList();
    assertThat(accepted).hasSize(1);
    String id = accepted.get(0).json().getString("id");
    assertThat(answers).filteredOn(r -> r.status() != 202).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(409);
      assertThat(r.json().getString("code")).isEqualTo("DUPLICATE_REQUEST");
      assertThat(r.json().getString("generationId")).isEqualTo(id);
    });
    assertThat(Db.count("SELECT count(*) FROM generations WHERE user_id = ?::uuid", user.id())).isEqualTo(1);
    assertThat(Db.charges(id)).isEqualTo(1);
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getLong("credits")).isEqualTo(98);
    cancel(service.api(), user.apiKey(), id);
  }

  @Test
  void concurrentRequestsWithOneKeyOnABalanceForOneAreAnswered409NotRefused() {
    // The slow model costs 2: the balance covers exactly one generation.
    TestUser user = service.api().createUser(new JsonObject().put("credits", 2).put("premium", true));
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Idempotency-Key", "only-one");
    List<Future<Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      replies.add(service.api().send(HttpMethod.POST, "/v1/generations", user.apiKey(),
          body("same", "slow").encode(), headers));
    }
    Map<Integer, Long> byStatus = replies.stream().map(Api::await)
        .collect(Collectors.groupingBy(Reply::status, Collectors.counting()));

    assertThat(byStatus).containsOnly(Map.entry(202, 1L), Map.entry(409, 5L));
    Db.update("UPDATE generations SET timeout_at = now() WHERE user_id = ?::uuid", user.id());
    Generations.eventually("the slow generation to end", () -> Db.count("SELECT count(*) FROM generations"
        + " WHERE user_id = ?::uuid AND status IN ('pending', 'processing')", user.id()) == 0);
  }

  @Test
  void nulInThePromptIs400AndChargesNothing() {
    TestUser user = service.api().createUser(5);
    Reply reply = create(service.api(), user.apiKey(), new JsonObject().put("prompt", "a\u0000b"), null);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().getString("field")).isEqualTo("prompt");
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getLong("credits")).isEqualTo(5);
  }

  @Test
  void keyOfAGenerationInProgressIs409WithItsId() {
    TestUser user = service.api().createUser(10);
    String id = create(service.api(), user.apiKey(), body("busy", "slow"), "busy-key").json().getString("id");
    Reply again = create(service.api(), user.apiKey(), body("busy", "slow"), "busy-key");

    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().getString("code")).isEqualTo("DUPLICATE_REQUEST");
    assertThat(again.json().getString("generationId")).isEqualTo(id);
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getLong("credits")).isEqualTo(8);
    cancel(service.api(), user.apiKey(), id);
  }

  @Test
  void keyOfACompletedGenerationReplaysItWith200AndNoCharge() {
    TestUser user = service.api().createUser(10);
    JsonObject params = new JsonObject().put("size", "64x64").put("n", 1);
    String id = create(service.api(), user.apiKey(), body("done", "demo").put("params", params), "done-key")
        .json().getString("id");
    awaitEnd(service.api(), user.apiKey(), id);
    // Same body with its params keys in another order: the canonical hash matches.
    JsonObject reordered = new JsonObject().put("n", 1).put("size", "64x64");
    Reply replay = create(service.api(), user.apiKey(), body("done", null).put("params", reordered), "done-key");

    assertThat(replay.status()).isEqualTo(200);
    assertThat(replay.json().getString("id")).isEqualTo(id);
    assertThat(replay.json().getString("status")).isEqualTo("completed");
    assertThat(replay.header("Location")).isEqualTo("/v1/generations/" + id);
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getLong("credits")).isEqualTo(9);
    assertThat(Db.count("SELECT count(*) FROM generations WHERE user_id = ?::uuid", user.id())).isEqualTo(1);
  }

  @Test
  void keyOfAFailedGenerationStartsANewOneChargedAgain() {
    TestUser user = service.api().createUser(10);
    String first = create(service.api(), user.apiKey(), body("status500 fails", "fake"), "retry-key").json()
        .getString("id");
    assertThat(awaitEnd(service.api(), user.apiKey(), first).getString("status")).isEqualTo("failed");
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getLong("credits")).isEqualTo(10);

    Reply retry = create(service.api(), user.apiKey(), body("status500 fails", "fake"), "retry-key");

    assertThat(retry.status()).isEqualTo(202);
    String second = retry.json().getString("id");
    assertThat(second).isNotEqualTo(first);
    assertThat(Db.charges(second)).isEqualTo(1);
    assertThat(awaitEnd(service.api(), user.apiKey(), second).getString("status")).isEqualTo("failed");
    assertThat(Db.count("SELECT count(*) FROM ledger_entries WHERE user_id = ?::uuid AND type = 'CHARGE'",
        user.id())).isEqualTo(2);
  }

  @Test
  void keyOfACancelledGenerationStartsANewOne() {
    TestUser user = service.api().createUser(10);
    String first = create(service.api(), user.apiKey(), body("changed my mind", "slow"), "cancel-key").json()
        .getString("id");
    assertThat(cancel(service.api(), user.apiKey(), first).status()).isEqualTo(200);

    Reply again = create(service.api(), user.apiKey(), body("changed my mind", "slow"), "cancel-key");

    assertThat(again.status()).isEqualTo(202);
    assertThat(again.json().getString("id")).isNotEqualTo(first);
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getLong("credits")).isEqualTo(8);
    cancel(service.api(), user.apiKey(), again.json().getString("id"));
  }

  @Test
  void keyReusedWithAnotherBodyIs422() {
    TestUser user = service.api().createUser(10);
    String id = create(service.api(), user.apiKey(), body("original", "demo"), "mine").json().getString("id");

    Function<JsonObject, Reply> reuse = other -> create(service.api(), user.apiKey(), other, "mine");
    for (JsonObject other : List.of(body("different", "demo"), body("original", "slow"),
        body("original", "demo").put("params", new JsonObject().put("n", 2)))) {
      Reply reply = reuse.apply(other);
      assertThat(reply.status()).as(other.encode()).isEqualTo(422);
      assertThat(reply.json().getString("code")).isEqualTo("IDEMPOTENCY_KEY_MISMATCH");
    }
    awaitEnd(service.api(), user.apiKey(), id);
    assertThat(reuse.apply(body("different", "demo")).status()).isEqualTo(422);
    // Keys belong to one user: another user may use the same key freely.
    TestUser other = service.api().createUser(10);
    assertThat(create(service.api(), other.apiKey(), body("different", "demo"), "mine").status()).isEqualTo(202);
  }

  private static void assertValidation(Reply reply, String field) {
    assertThat(reply.status()).as(reply.text()).isEqualTo(400);
    assertThat(reply.json().getString("code")).isEqualTo("VALIDATION_ERROR");
    assertThat(reply.json().getString("field")).isEqualTo(field);
  }
}
