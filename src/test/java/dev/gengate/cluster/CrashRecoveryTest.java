package dev.gengate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.testing.Api;
import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.Db;
import dev.gengate.testing.FakeImagesServer;
import dev.gengate.testing.FakeProvider;
import dev.gengate.testing.Generations;
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
import java.time.Instant;
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

  /** The database's clock now: deadlines and finish times are on it. */
  static Instant dbNow() throws Exception {
    try (Connection c = TestInfra.get().jdbc(); Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT now()")) {
      rows.next();
      return rows.getTimestamp(1).toInstant();
    }
  }

  /** The periods (database clock) in which an instance was up and could rescue; the last one is open. */
  record Uptime(Instant from, Instant to) {}

  /**
   * The design's promise: no generation stays unfinished past its deadline plus the rescue interval, counting
   * from the first instance that is up from then on long enough to act (an instance killed right after the
   * deadline may die before it records the end; the next one to start then does). One line per late generation.
   */
  static List<String> lateEnds(List<TestUser> users, List<Uptime> uptimes, Duration slack) throws Exception {
    String ids = users.stream().map(u -> "'" + u.id() + "'").collect(Collectors.joining(","));
    Duration grace = RESCUE_INTERVAL.plus(slack);
    List<String> late = new ArrayList<>();
    try (Connection c = TestInfra.get().jdbc(); Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT id, timeout_at, finished_at FROM generations WHERE user_id IN ("
            + ids + ")")) {
      while (rows.next()) {
        Instant deadline = rows.getTimestamp(2).toInstant();
        Instant finished = rows.getTimestamp(3).toInstant();
        Instant bound = null;
        for (Uptime up : uptimes) {
          Instant due = (up.from().isAfter(deadline) ? up.from() : deadline).plus(grace);
          if (up.to() == null || !up.to().isBefore(due)) {
            bound = due;
            break;
          }
        }
        if (bound != null && finished.isAfter(bound)) {
          late.add(rows.getString(1) + " deadline " + deadline + " finished " + finished + " bound " + bound);
        }
      }
    }
    return late;
  }

  @Test
  void everyGenerationEndsInTimeAndTheBooksBalanceAfterRepeatedKills() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    System.out.printf("crash test: kill moments drawn with seed %d%n", seed);
    int kills = 5;
    List<TestUser> users = new ArrayList<>();
    List<String> accepted = new ArrayList<>();
    List<Uptime> uptimes = new ArrayList<>();
    Map<String, String> env = slowModel(provider.server(), LEASE);
    // A second model whose provider never answers: it must fail with TIMEOUT and be refunded, kills or not.
    env.put("GENGATE_MODELS_DOOMED_PROVIDER", "openai-images");
    env.put("GENGATE_MODELS_DOOMED_PRICE", "3");
    env.put("GENGATE_MODELS_DOOMED_TIMEOUT", "3s");
    env.put("GENGATE_MODELS_DOOMED_BASEURL", provider.server().baseUrl());
    try (ServiceProcess service = ServiceProcess.start(env)) {
      Instant up = dbNow();
      Api api = provider.api(service.port());
      for (int i = 0; i < 4; i++) {
        users.add(api.createUser(1000));
      }
      int prompt = 0;
      long lastKill = 0;
      for (int round = 0; round < kills; round++) {
        List<Future<Reply>> creates = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
          TestUser user = users.get(i % users.size());
          // "late:1500 ..." answers after 1.5 s; "hang ..." never does.
          creates.add(i % 5 == 4
              ? api.send(HttpMethod.POST, "/v1/generations", user.apiKey(), new JsonObject()
                  .put("prompt", "hang doomed-" + round + "-" + prompt++).put("model", "doomed").encode(),
                  MultiMap.caseInsensitiveMultiMap())
              : create(api, user, "late:1500 crash-" + round + "-" + prompt++));
        }
        // Kill while provider calls are in flight: once some work runs, at a random instant within a call.
        String ids = users.stream().map(u -> "'" + u.id() + "'").collect(Collectors.joining(","));
        Generations.eventually("work running before the kill", () -> Db.count(
            "SELECT count(*) FROM generations WHERE status = 'processing' AND user_id IN (" + ids + ")") > 0);
        Thread.sleep(100 + random.nextInt(1300));
        uptimes.add(new Uptime(up, dbNow()));
        service.kill();
        lastKill = System.nanoTime();
        for (Future<Reply> create : creates) {
          Reply reply = create.otherwiseEmpty().await();
          if (reply != null && reply.status() == 202) {
            accepted.add(reply.json().getString("id"));
          }
        }
        service.restart();
        up = dbNow();
        api = provider.api(service.port());
      }
      uptimes.add(new Uptime(up, null));
      long restartedAt = System.nanoTime();
      Duration bound = MODEL_TIMEOUT.plus(RESCUE_INTERVAL).plus(LEASE).plusSeconds(5);
      Map<String, Long> statuses = statuses(users, false);
      while (unfinished(statuses) > 0 && System.nanoTime() - restartedAt < bound.toNanos()) {
        Thread.sleep(200);
        statuses = statuses(users, false);
      }
      long sinceKill = (System.nanoTime() - lastKill) / 1_000_000;
      long reexecuted = Db.count("SELECT count(*) FROM generations WHERE attempts >= 2 AND user_id = ANY(?::uuid[])",
          "{" + users.stream().map(TestUser::id).collect(Collectors.joining(",")) + "}");
      System.out.printf("crash test: %d SIGKILLs survived; every generation ended %d ms after the last kill;"
          + " outcome %s; %d generation(s) re-executed after a kill; provider calls %d%n", kills, sinceKill,
          statuses(users, true), reexecuted, provider.server().bodies().size());

      assertThat(unfinished(statuses)).as("generations still unfinished: %s; service log:%n%s", statuses,
          service.tail()).isZero();
      for (String id : accepted) {
        assertThat(Db.status(id)).as("accepted generation %s", id).isIn("completed", "failed");
      }
      assertThat(statuses.getOrDefault("completed", 0L)).isPositive();
      assertThat(Db.count("SELECT count(*) FROM generations WHERE prompt LIKE 'hang doomed-%' AND user_id ="
          + " ANY(?::uuid[]) AND NOT (status = 'failed' AND error_code = 'TIMEOUT')",
          "{" + users.stream().map(TestUser::id).collect(Collectors.joining(",")) + "}"))
          .as("doomed generations that did not fail with TIMEOUT").isZero();
      assertThat(reexecuted).as("generations whose attempt a kill interrupted and another ran").isPositive();
      assertThat(lateEnds(users, uptimes, Duration.ofSeconds(2))).as("ended later than deadline + rescue interval")
          .isEmpty();
      LedgerInvariants.assertHold();
      assertThat(api.get("/v1/admin/ledger/check", TestService.ADMIN_TOKEN).json().getBoolean("healthy"))
          .isTrue();
    }
  }
}
