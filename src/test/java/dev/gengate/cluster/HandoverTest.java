package dev.gengate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.testing.Api;
import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.Db;
import dev.gengate.testing.FakeProvider;
import dev.gengate.testing.Generations;
import dev.gengate.testing.LedgerInvariants;
import dev.gengate.testing.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SIGTERM hands running work to another instance at once, long before its lease would have expired. */
class HandoverTest {
  private static final Duration LONG_LEASE = Duration.ofSeconds(60);

  @RegisterExtension
  static final FakeProvider provider = new FakeProvider();

  @Test
  void sigtermHandsRunningGenerationsToTheOtherInstanceWithoutWaitingForTheLease() throws Exception {
    Map<String, String> env = CrashRecoveryTest.slowModel(provider.server(), LONG_LEASE, Duration.ofSeconds(40));
    try (ServiceProcess leaving = ServiceProcess.start(env)) {
      Api api = provider.api(leaving.port());
      TestUser user = api.createUser(100);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Reply created = Api.await(CrashRecoveryTest.create(api, user, "late:6000 handover-" + i));
        assertThat(created.status()).isEqualTo(202);
        ids.add(created.json().getString("id"));
      }
      Generations.eventually("all five running on the first instance", () -> ids.stream()
          .allMatch(id -> "processing".equals(Db.status(id))));

      try (ServiceProcess staying = ServiceProcess.start(env)) {
        long stoppedAt = System.nanoTime();
        assertThat(leaving.terminate(Duration.ofSeconds(30))).as("exit code after SIGTERM").isZero();
        Api other = provider.api(staying.port());
        for (String id : ids) {
          assertThat(Generations.awaitEnd(other, user.apiKey(), id).getString("status")).isEqualTo("completed");
        }
        Duration took = Duration.ofNanos(System.nanoTime() - stoppedAt);
        assertThat(took).as("handover time").isLessThan(LONG_LEASE.dividedBy(2));
        for (int i = 0; i < 5; i++) {
          assertThat(provider.server().requests("late:6000 handover-" + i)).as("calls for generation %d", i)
              .isEqualTo(2);
          assertThat(provider.server().aborted("late:6000 handover-" + i)).as("aborted calls for %d", i)
              .isEqualTo(1);
        }
        assertThat(Db.count("SELECT count(*) FROM generations WHERE id = ANY(?::uuid[]) AND attempts = 1",
            "{" + String.join(",", ids) + "}")).as("a handed-back attempt is not counted").isEqualTo(5);
        System.out.printf("handover: 5 running generations completed on the other instance %d ms after SIGTERM%n",
            took.toMillis());
      }
    }
    LedgerInvariants.assertHold();
  }
}
