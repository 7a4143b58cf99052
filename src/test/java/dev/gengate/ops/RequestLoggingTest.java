package dev.gengate.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.RunningService;
import dev.gengate.testing.TestService;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** Request ids (X-Request-Id and error bodies) and the access log line: what it has and what it never has. */
class RequestLoggingTest {
  @RegisterExtension
  static final RunningService service = new RunningService();

  @Test
  void callersRequestIdIsEchoedInHeaderAndErrorBody() {
    Reply reply = service.api().call(HttpMethod.GET, "/v1/me", null, null, headers("X-Request-Id", "ops-req.1_A"));
    assertThat(reply.status()).isEqualTo(401);
    assertThat(reply.header("X-Request-Id")).isEqualTo("ops-req.1_A");
    assertThat(reply.json().getString("requestId")).isEqualTo("ops-req.1_A");
  }

  @Test
  void requestIdIsMadeWhenMissingOrUnsafe() {
    Reply none = service.api().get("/v1/me", null);
    assertThat(UUID.fromString(none.header("X-Request-Id"))).isNotNull();
    assertThat(none.json().getString("requestId")).isEqualTo(none.header("X-Request-Id"));

    for (String unsafe : List.of("has space", "x".repeat(65), "quote\"d", "{json}")) {
      Reply reply = service.api().call(HttpMethod.GET, "/v1/me", null, null, headers("X-Request-Id", unsafe));
      assertThat(UUID.fromString(reply.header("X-Request-Id"))).as(unsafe).isNotNull();
      assertThat(reply.json().getString("requestId")).isEqualTo(reply.header("X-Request-Id"));
    }
  }

  @Test
  void successfulAnswersCarryTheRequestIdToo() {
    TestUser user = service.api().createUser(3);
    Reply reply = service.api().call(HttpMethod.GET, "/v1/me", user.apiKey(), null, headers("X-Request-Id", "ok-1"));
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("X-Request-Id")).isEqualTo("ok-1");
    assertThat(service.api().get("/health/live", null).header("X-Request-Id")).isNotBlank();
  }

  @Test
  void accessLogHasOneLinePerRequestWithoutSecrets() {
    TestUser user = service.api().createUser(3);
    Logger access = (Logger) LoggerFactory.getLogger("gengate.access");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    Level before = access.getLevel();
    access.setLevel(Level.INFO);
    access.addAppender(lines);
    try {
      // An invalid cursor (400): the query string is not logged.
      service.api().call(HttpMethod.GET, "/v1/me/transactions?cursor=secret-cursor", user.apiKey(), null,
          headers("X-Request-Id", "log-1"));
      service.api().call(HttpMethod.POST, "/v1/admin/users", TestService.ADMIN_TOKEN,
          "{\"prompt\": \"a very private prompt\"}", headers("X-Request-Id", "log-2"));
      awaitLines(lines, 2);
    } finally {
      access.detachAppender(lines);
      access.setLevel(before);
    }

    // Only this test's requests: the line of the user creation above may land after the appender was attached.
    List<ILoggingEvent> ours = lines.list.stream()
        .filter(line -> line.getFormattedMessage().contains("requestId=log-")).toList();
    assertThat(ours).hasSize(2);
    // Two HTTP event loops may write the lines in either order: find each by its request id.
    ours = ours.stream().sorted(java.util.Comparator.comparing(ILoggingEvent::getFormattedMessage,
        java.util.Comparator.comparing(line -> line.contains("requestId=log-1") ? 0 : 1))).toList();
    String me = ours.get(0).getFormattedMessage();
    assertThat(me).matches("GET /v1/me/transactions 400 \\d+\\.\\dms requestId=log-1 userId=" + user.id());
    String admin = ours.get(1).getFormattedMessage();
    assertThat(admin).matches("POST /v1/admin/users 400 \\d+\\.\\dms requestId=log-2 userId=-");
    for (ILoggingEvent line : ours) {
      assertThat(line.getFormattedMessage())
          .doesNotContain(user.apiKey())
          .doesNotContain(TestService.ADMIN_TOKEN)
          .doesNotContain("private prompt")
          .doesNotContain("secret-cursor");
    }
  }

  /** The line is written when the response ends, which may be just after the client has read it. */
  private static void awaitLines(ListAppender<ILoggingEvent> lines, int count) {
    long deadline = System.currentTimeMillis() + 5000;
    while (lines.list.stream().filter(line -> line.getFormattedMessage().contains("requestId=log-")).count() < count
        && System.currentTimeMillis() < deadline) {
      Thread.onSpinWait();
    }
  }

  private static MultiMap headers(String name, String value) {
    return MultiMap.caseInsensitiveMultiMap().add(name, value);
  }
}
