package dev.gengate.generation;

import static dev.gengate.testing.Generations.body;
import static dev.gengate.testing.Generations.create;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.testing.Api;
import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.Db;
import dev.gengate.testing.RunningService;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Per-tier limits through the real POST /v1/generations: the Redis sliding window in front, the active slots in
 * the debit statement behind it. The tiers are shaped for the tests: free users hit the per-minute window
 * first (10 per minute, slots plentiful), premium users hit their active slots first (5 at once, window wide).
 */
class GenerationLimitsApiTest {
  @RegisterExtension
  static final RunningService service = new RunningService(new JsonObject()
      .put("limits", new JsonObject()
          .put("free", new JsonObject().put("maxActive", 100).put("perMinute", 10))
          .put("premium", new JsonObject().put("maxActive", 5).put("perMinute", 1000)))
      .put("models", new JsonObject()
          .put("demo", new JsonObject().put("provider", "demo").put("price", 1).put("timeout", "5s")
              .put("delay", "0ms"))
          .put("slow", new JsonObject().put("provider", "demo").put("price", 2).put("timeout", "20s")
              .put("delay", "10s"))))
      .checkingLedgerAfterEach();

  private static List<Reply> concurrently(int count, TestUser user, String model) {
    List<Future<Reply>> replies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      replies.add(service.api().send(HttpMethod.POST, "/v1/generations", user.apiKey(), body("burst " + i, model)));
    }
    return replies.stream().map(Api::await).toList();
  }

  private static Map<Integer, Long> byStatus(List<Reply> replies) {
    return replies.stream().collect(Collectors.groupingBy(Reply::status, Collectors.counting()));
  }

  private static long credits(TestUser user) {
    return service.api().get("/v1/me", user.apiKey()).json().getLong("credits");
  }

  private static void cancelUnfinished(TestUser user) {
    Db.update("UPDATE generations SET timeout_at = now() WHERE user_id = ?::uuid"
        + " AND status IN ('pending', 'processing')", user.id());
    dev.gengate.testing.Generations.eventually("the user's generations to end", () -> Db.count(
        "SELECT count(*) FROM generations WHERE user_id = ?::uuid AND status IN ('pending', 'processing')",
        user.id()) == 0);
  }

  @Test
  void eleventhCreateWithinAMinuteIsRateLimitedWithRetryAfterAndChargesNothing() {
    TestUser user = service.api().createUser(100);
    for (int i = 0; i < 10; i++) {
      Reply reply = create(service.api(), user.apiKey(), body("fox " + i, "demo"), null);
      assertThat(reply.status()).as("request %d", i + 1).isEqualTo(202);
      assertThat(reply.header("RateLimit")).isEqualTo("\"per-user\";r=" + (9 - i) + ";t=60");
    }
    Reply eleventh = create(service.api(), user.apiKey(), body("fox 11", "demo"), null);

    assertThat(eleventh.status()).isEqualTo(429);
    assertThat(eleventh.json().getString("code")).isEqualTo("RATE_LIMITED");
    assertThat(Integer.parseInt(eleventh.header("Retry-After"))).isBetween(1, 60);
    assertThat(eleventh.header("RateLimit-Policy")).isEqualTo("\"per-user\";q=10;w=60");
    assertThat(credits(user)).isEqualTo(90);
  }

  @Test
  void aHundredParallelCreatesLetExactlyTheWindowThrough() {
    TestUser user = service.api().createUser(1000);
    Map<Integer, Long> statuses = byStatus(concurrently(100, user, "demo"));

    assertThat(statuses).containsOnly(Map.entry(202, 10L), Map.entry(429, 90L));
    assertThat(credits(user)).isEqualTo(990);
  }

  @Test
  void theWindowIsPerUser() {
    TestUser busy = service.api().createUser(100);
    TestUser other = service.api().createUser(100);
    concurrently(15, busy, "demo");
    assertThat(create(service.api(), other.apiKey(), body("mine", "demo"), null).status()).isEqualTo(202);
  }

  @Test
  void becomingPremiumRaisesTheLimitOnTheNextRequest() {
    TestUser user = service.api().createUser(100);
    concurrently(10, user, "demo");
    assertThat(create(service.api(), user.apiKey(), body("one more", "demo"), null).status()).isEqualTo(429);

    service.api().call(HttpMethod.PATCH, "/v1/admin/users/" + user.id(), dev.gengate.testing.TestService.ADMIN_TOKEN,
        new JsonObject().put("premium", true));
    Reply next = create(service.api(), user.apiKey(), body("as premium", "demo"), null);
    assertThat(next.status()).isEqualTo(202);
    assertThat(next.header("RateLimit-Policy")).isEqualTo("\"per-user\";q=1000;w=60");
  }

  @Test
  void fiftyConcurrentCreatesNeverTakeMoreThanTheActiveSlots() {
    TestUser user = service.api().createUser(new JsonObject().put("credits", 1000).put("premium", true));
    List<Reply> replies = concurrently(50, user, "slow");
    Map<Integer, Long> statuses = byStatus(replies);

    assertThat(statuses).containsOnly(Map.entry(202, 5L), Map.entry(429, 45L));
    assertThat(replies.stream().filter(r -> r.status() == 429))
        .allSatisfy(r -> assertThat(r.json().getString("code")).isEqualTo("TOO_MANY_ACTIVE_GENERATIONS"));
    assertThat(credits(user)).isEqualTo(1000 - 5 * 2);
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getInteger("activeGenerations")).isEqualTo(5);
    cancelUnfinished(user);
  }

  @Test
  void everyAnswerToACreateCarriesTheRateLimitHeaders() {
    TestUser poor = service.api().createUser(0);
    Reply refused = create(service.api(), poor.apiKey(), body("no money", "demo"), null);
    assertThat(refused.status()).isEqualTo(402);
    assertThat(refused.header("RateLimit-Policy")).isEqualTo("\"per-user\";q=10;w=60");
    assertThat(refused.header("RateLimit")).startsWith("\"per-user\";r=9;");
  }
}
