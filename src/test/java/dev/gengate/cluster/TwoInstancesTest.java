package dev.gengate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.testing.Api;
import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.FakeProvider;
import dev.gengate.testing.Generations;
import dev.gengate.testing.LedgerInvariants;
import dev.gengate.testing.ServiceProcess;
import dev.gengate.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two service processes on one PostgreSQL and Redis behave as one service. */
class TwoInstancesTest {
  @RegisterExtension
  static final FakeProvider provider = new FakeProvider();

  private static ServiceProcess first;
  private static ServiceProcess second;
  private static Api one;
  private static Api two;

  @BeforeAll
  static void start() throws Exception {
    first = ServiceProcess.start(CrashRecoveryTest.slowModel(provider.server(), Duration.ofSeconds(5)));
    // Each instance calls the provider with its own key, so the provider can tell who executed what.
    Map<String, String> secondEnv = CrashRecoveryTest.slowModel(provider.server(), Duration.ofSeconds(5));
    secondEnv.put("GENGATE_MODELS_SLOW_APIKEY", "key-of-the-second");
    second = ServiceProcess.start(secondEnv);
    one = provider.api(first.port());
    two = provider.api(second.port());
  }

  @AfterAll
  static void stop() throws Exception {
    first.close();
    second.close();
  }

  @Test
  void aUserCreatedThroughOneInstanceIsServedByTheOther() {
    TestUser user = one.createUser(7);
    assertThat(two.get("/v1/me", user.apiKey()).json().getLong("credits")).isEqualTo(7);
  }

  @Test
  void anIdempotentTopUpRacedAcrossInstancesIsAppliedOnce() {
    TestUser user = one.createUser(0);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Idempotency-Key", "across-instances");
    String body = new JsonObject().put("amount", 30).put("reason", "promo").encode();
    List<Future<Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Api api = i % 2 == 0 ? one : two;
      replies.add(api.send(HttpMethod.POST, "/v1/admin/users/" + user.id() + "/credits", TestService.ADMIN_TOKEN,
          body, headers));
    }
    List<Reply> done = Api.await(Future.all(replies)).list();
    assertThat(done).extracting(Reply::status).containsOnly(201);
    assertThat(done).extracting(r -> r.json().getLong("id")).containsOnly(done.get(0).json().getLong("id"));
    assertThat(two.get("/v1/me", user.apiKey()).json().getLong("credits")).isEqualTo(30);
    LedgerInvariants.assertHold();
  }

  @Test
  void eachGenerationIsExecutedOnceWhenTwoInstancesShareTheQueue() {
    TestUser user = one.createUser(1000);
    List<Future<Reply>> creates = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      creates.add(CrashRecoveryTest.create(i % 2 == 0 ? one : two, user, "late:300 once-" + i));
    }
    List<String> ids = Api.await(Future.all(creates)).<Reply>list().stream()
        .map(reply -> reply.json().getString("id")).toList();
    for (String id : ids) {
      assertThat(Generations.awaitEnd(two, user.apiKey(), id).getString("status")).isEqualTo("completed");
    }
    for (int i = 0; i < 40; i++) {
      assertThat(provider.server().requests("late:300 once-" + i)).as("provider calls for generation %d", i)
          .isEqualTo(1);
    }
    assertThat(provider.server().authorizations()).as("both instances executed some of them")
        .contains("Bearer test-key", "Bearer key-of-the-second");
    LedgerInvariants.assertHold();
  }

  @Test
  void waitingOnOneInstanceEndsSoonAfterTheOtherInstanceFinishedTheGeneration() {
    TestUser user = one.createUser(100);
    for (int i = 0; i < 6; i++) {
      String id = Api.await(CrashRecoveryTest.create(one, user, "late:300 wait-" + i)).json().getString("id");
      long started = System.nanoTime();
      JsonObject done = Generations.get(two, user.apiKey(), id, "wait=20").json();
      Duration waited = Duration.ofNanos(System.nanoTime() - started);
      assertThat(done.getString("status")).isEqualTo("completed");
      // Whichever instance ran it, the wait ends within about a second of the end, far from the 20 s cap.
      assertThat(waited).as("wait for generation %d", i).isLessThan(Duration.ofSeconds(4));
    }
  }

  @Test
  void sigtermStopsAnInstanceCleanlyWhileTheOtherKeepsServing() throws Exception {
    ServiceProcess third = ServiceProcess.start(Map.of());
    try {
      assertThat(third.terminate(Duration.ofSeconds(30))).isZero();
      TestUser user = one.createUser(1);
      assertThat(two.get("/v1/me", user.apiKey()).status()).isEqualTo(200);
    } finally {
      third.close();
    }
  }
}
