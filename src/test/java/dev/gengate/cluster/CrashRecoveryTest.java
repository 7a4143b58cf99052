package dev.gengate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.testing.Api;
import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.FakeImagesServer;
import dev.gengate.testing.FakeProvider;
import dev.gengate.testing.LedgerInvariants;
import dev.gengate.testing.ServiceProcess;
import dev.gengate.testing.TestInfra;
import dev.gengate.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The service is killed with SIGKILL at random moments while generations run against a slow provider, and
 * restarted. Every generation must still end (completed, or failed and refunded) within its deadline plus the
 * rescue interval, and the books must balance.
 */
class CrashRecoveryTest {
  private static final Duration MODEL_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration RESCUE_INTERVAL = Duration.ofMillis(500);
  private static final Duration LEASE = Duration.ofSeconds(2);

  @RegisterExtension
  static final FakeProvider provider = new FakeProvider();

  /** A service configured with a model "slow" served by the fake OpenAI Images server. */
  static Map<String, String> slowModel(FakeImagesServer provider, Duration lease) {
    return slowModel(provider, lease, MODEL_TIMEOUT);
  }

  static Map<String, String> slowModel(FakeImagesServer provider, Duration lease, Duration timeout) {
    Map<String, String> env = new HashMap<>();
    env.put("GENGATE_MODELS_SLOW_PROVIDER", "openai-images");
    env.put("GENGATE_MODELS_SLOW_PRICE", "2");
    env.put("GENGATE_MODELS_SLOW_TIMEOUT", timeout.toMillis() + "ms");
    env.put("GENGATE_MODELS_SLOW_BASEURL", provider.baseUrl());
    env.put("GENGATE_MODELS_SLOW_UPSTREAMMODEL", "slow-upstream");
    env.put("GENGATE_MODELS_SLOW_APIKEY", "test-key");
    env.put("GENGATE_GENERATION_LEASE", lease.toMillis() + "ms");
    env.put("GENGATE_GENERATION_RESCUEINTERVAL", RESCUE_INTERVAL.toMillis() + "ms");
    env.put("GENGATE_GENERATION_POLLINTERVAL", "200ms");
    env.put("GENGATE_LIMITS_FREE_MAXACTIVE", "1000");
    env.put("GENGATE_LIMITS_FREE_PERMINUTE", "100000");
    return env;
  }

  static Future<Reply> create(Api api, TestUser user, String prompt) {
    return api.send(HttpMethod.POST, "/v1/generations", user.apiKey(),
        new JsonObject().put("prompt", prompt).put("model", "slow").encode(), MultiMap.caseInsensitiveMultiMap());
  }

  /** The given users' generations counted by status, or by status and error code with {@code byError}. */
  static Map<String, Long> statuses(List<TestUser> users, boolean byError) throws Exception {
    String ids = users.stream().map(u -> "'" + u.id() + "'").collect(Collectors.joining(","));
    String key = byError ? "status || COALESCE(':' || error_code, '')" : "status";
    Map<String, Long> counts = new HashMap<>();
    try (Connection c = TestInfra.get().jdbc(); Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT " + key + ", count(*) FROM generations WHERE user_id IN (" + ids
            + ") GROUP BY 1")) {
      while (rows.next()) {
        counts.put(rows.getString(1), rows.getLong(2));
      }
    }
    return counts;
  }

  static long unfinished(Map<String, Long> statuses) {
    return statuses.getOrDefault("pending", 0L) + statuses.getOrDefault("processing", 0L);
  }

  @Test
  void everyGenerationEndsAndTheBooksBalanceAfterRepeatedKills() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    System.out.printf("crash test: kill moments drawn with seed %d%n", seed);
    int kills = 5;
    List<TestUser> users = new ArrayList<>();
    try (ServiceProcess service = ServiceProcess.start(slowModel(provider.server(), LEASE))) {
      Api api = provider.api(service.port());
      for (int i = 0; i < 4; i++) {
        users.add(api.createUser(1000));
      }
      int prompt = 0;
      long lastKill = 0;
      for (int round = 0; round < kills; round++) {
        List<Future<Reply>> creates = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
          // The fake provider answers "late:1500 ..." prompts after 1.5 s: kills land mid-call.
          creates.add(create(api, users.get(i % users.size()), "late:1500 crash-" + round + "-" + prompt++));
        }
        // Kill at a random instant: often while this round's 1.5 s provider calls are in flight, sometimes
        // after they finished, while earlier rounds' work is being retried.
        Thread.sleep(200 + random.nextInt(2300));
        service.kill();
        lastKill = System.nanoTime();
        Future.join(creates).otherwiseEmpty().await();
        service.restart();
        api = provider.api(service.port());
      }
      long restartedAt = System.nanoTime();
      Duration bound = MODEL_TIMEOUT.plus(RESCUE_INTERVAL).plus(LEASE).plusSeconds(5);
      Map<String, Long> statuses = statuses(users, false);
      while (unfinished(statuses) > 0 && System.nanoTime() - restartedAt < bound.toNanos()) {
        Thread.sleep(200);
        statuses = statuses(users, false);
      }
      long sinceKill = (System.nanoTime() - lastKill) / 1_000_000;
      long sinceRestart = (System.nanoTime() - restartedAt) / 1_000_000;
      System.out.printf("crash test: %d SIGKILLs survived; every generation ended %d ms after the last kill (%d ms"
          + " after the restarted instance was ready); outcome %s; provider calls %d%n", kills, sinceKill,
          sinceRestart, statuses(users, true), provider.server().bodies().size());
      assertThat(unfinished(statuses)).as("generations still unfinished: %s; service log:%n%s", statuses,
          service.tail()).isZero();
      assertThat(statuses.keySet()).containsAnyOf("completed", "failed");
      assertThat(statuses.values().stream().mapToLong(Long::longValue).sum()).isGreaterThan(0);
      LedgerInvariants.assertHold();
      assertThat(api.get("/v1/admin/ledger/check", TestService.ADMIN_TOKEN).json().getBoolean("healthy"))
          .isTrue();
    }
  }
}
