package dev.gengate.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.RunningService;
import dev.gengate.testing.TestService;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every client mistake gets its status, a structured body, no stack trace, and changes nothing. */
class ErrorsApiTest {
  private static final String ADMIN = TestService.ADMIN_TOKEN;
  @RegisterExtension
  static final RunningService service = new RunningService().checkingLedgerAfterEach();

  private static Reply raw(HttpMethod method, String path, String token, String body, String... headers) {
    MultiMap map = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < headers.length; i += 2) {
      map.add(headers[i], headers[i + 1]);
    }
    return service.api().call(method, path, token, body, map);
  }

  private static void assertError(Reply reply, int status, String code) {
    assertThat(reply.status()).as(reply.text()).isEqualTo(status);
    JsonObject body = reply.json();
    assertThat(body.getString("code")).isEqualTo(code);
    assertThat(body.getString("message")).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(body.getString("requestId")).isEqualTo(reply.header("X-Request-Id"));
    assertThat(reply.header("Content-Type")).startsWith("application/json");
  }

  @Test
  void malformedJsonIs400() {
    assertError(raw(HttpMethod.POST, "/v1/admin/users", ADMIN, "{\"credits\": 5"), 400, "VALIDATION_ERROR");
  }

  @Test
  void jsonThatIsNotAnObjectIs400() {
    assertError(raw(HttpMethod.POST, "/v1/admin/users", ADMIN, "[1,2]"), 400, "VALIDATION_ERROR");
  }

  @Test
  void wrongTypesAre400AndNameTheField() {
    Reply reply = raw(HttpMethod.POST, "/v1/admin/users", ADMIN, "{\"credits\": \"5\"}");
    assertError(reply, 400, "VALIDATION_ERROR");
    assertThat(reply.json().getString("field")).isEqualTo("credits");
    assertError(raw(HttpMethod.POST, "/v1/admin/users", ADMIN, "{\"credits\": 5.5}"), 400, "VALIDATION_ERROR");
    assertError(raw(HttpMethod.POST, "/v1/admin/users", ADMIN, "{\"premium\": \"yes\"}"), 400, "VALIDATION_ERROR");
    assertError(raw(HttpMethod.POST, "/v1/admin/users", ADMIN, "{\"language\": \"de\"}"), 400, "VALIDATION_ERROR");
    assertError(raw(HttpMethod.POST, "/v1/admin/users", ADMIN, "{\"credits\": -1}"), 400, "VALIDATION_ERROR");
  }

  @Test
  void unknownFieldsAreRefusedRatherThanIgnored() {
    Reply reply = raw(HttpMethod.POST, "/v1/admin/users", ADMIN, "{\"credit\": 5}");
    assertError(reply, 400, "VALIDATION_ERROR");
    assertThat(reply.json().getString("field")).isEqualTo("credit");
  }

  @Test
  void unknownRouteIsAStructured404() {
    assertError(raw(HttpMethod.GET, "/v1/nothing-here", null, null), 404, "NOT_FOUND");
    assertError(raw(HttpMethod.GET, "/", null, null), 404, "NOT_FOUND");
  }

  @Test
  void wrongMethodIsAStructured405() {
    TestUser user = service.api().createUser(0);
    assertError(raw(HttpMethod.DELETE, "/v1/me", user.apiKey(), null), 405, "METHOD_NOT_ALLOWED");
  }

  @Test
  void oversizedBodyIs413() {
    String big = "{\"reason\": \"" + "x".repeat(70 * 1024) + "\", \"amount\": 1}";
    TestUser user = service.api().createUser(0);
    Reply reply = raw(HttpMethod.POST, "/v1/admin/users/" + user.id() + "/credits", ADMIN, big);
    assertError(reply, 413, "PAYLOAD_TOO_LARGE");
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getLong("credits")).isZero();
  }

  @Test
  void unknownOrMalformedUserIdIs404() {
    assertError(raw(HttpMethod.GET, "/v1/admin/users/9b2f5a0e-1111-4222-8333-444455556666", ADMIN, null),
        404, "NOT_FOUND");
    assertError(raw(HttpMethod.GET, "/v1/admin/users/not-a-uuid", ADMIN, null), 404, "NOT_FOUND");
    assertError(raw(HttpMethod.POST, "/v1/admin/users/9b2f5a0e-1111-4222-8333-444455556666/credits", ADMIN,
        "{\"amount\": 5}"), 404, "NOT_FOUND");
  }

  @Test
  void creditChangeValidation() {
    TestUser user = service.api().createUser(0);
    String path = "/v1/admin/users/" + user.id() + "/credits";
    assertError(raw(HttpMethod.POST, path, ADMIN, "{\"amount\": 0}"), 400, "VALIDATION_ERROR");
    assertError(raw(HttpMethod.POST, path, ADMIN, "{}"), 400, "VALIDATION_ERROR");
    assertError(raw(HttpMethod.POST, path, ADMIN, ""), 400, "VALIDATION_ERROR");
    assertError(raw(HttpMethod.POST, path, ADMIN, "{\"amount\": 1}", "Idempotency-Key", "k".repeat(65)),
        400, "VALIDATION_ERROR");
    assertThat(raw(HttpMethod.POST, path, ADMIN, "{\"amount\": 1}", "Idempotency-Key", "k".repeat(64)).status())
        .isEqualTo(201);
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getLong("credits")).isEqualTo(1);
  }

  @Test
  void patchWithoutPremiumIs400() {
    TestUser user = service.api().createUser(0);
    assertError(raw(HttpMethod.PATCH, "/v1/admin/users/" + user.id(), ADMIN, "{}"), 400, "VALIDATION_ERROR");
    assertError(raw(HttpMethod.PATCH, "/v1/admin/users/" + user.id(), ADMIN, "{\"premium\": 1}"),
        400, "VALIDATION_ERROR");
  }

  @Test
  void badPaginationParametersAre400() {
    TestUser user = service.api().createUser(0);
    assertError(raw(HttpMethod.GET, "/v1/me/transactions?limit=0", user.apiKey(), null), 400, "VALIDATION_ERROR");
    assertError(raw(HttpMethod.GET, "/v1/me/transactions?limit=abc", user.apiKey(), null), 400,
        "VALIDATION_ERROR");
    assertError(raw(HttpMethod.GET, "/v1/me/transactions?cursor=xyz", user.apiKey(), null), 400,
        "VALIDATION_ERROR");
  }

  @Test
  void messagesAreRussianWhenAcceptLanguagePrefersRussian() {
    TestUser user = service.api().createUser(2);
    Reply reply = raw(HttpMethod.POST, "/v1/admin/users/" + user.id() + "/credits", ADMIN, "{\"amount\": -5}",
        "Accept-Language", "ru-RU,ru;q=0.9,en;q=0.5");
    assertError(reply, 402, "INSUFFICIENT_CREDITS");
    assertThat(reply.json().getString("message")).isEqualTo("Недостаточно кредитов. Нужно 5 💎, доступно 2 💎");
    Reply english = raw(HttpMethod.GET, "/v1/me", null, null, "Accept-Language", "en-US,ru;q=0.1");
    assertThat(english.json().getString("message")).startsWith("Missing or invalid credentials");
    Reply russian401 = raw(HttpMethod.GET, "/v1/me", null, null, "Accept-Language", "ru");
    assertThat(russian401.json().getString("message")).startsWith("Нет учётных данных");
  }

  @Test
  void malformedAcceptLanguageStillGetsAStructuredEnglishError() {
    Reply reply = raw(HttpMethod.GET, "/v1/me", null, null, "Accept-Language", ";;;");
    assertError(reply, 401, "UNAUTHORIZED");
    assertThat(reply.json().getString("message")).startsWith("Missing or invalid credentials");
    assertError(raw(HttpMethod.GET, "/v1/nowhere", null, null, "Accept-Language", "=,;q=x"), 404, "NOT_FOUND");
  }

  @Test
  void nulCharactersInTextAre400AndChangeNothing() {
    TestUser user = service.api().createUser(0);
    Reply reply = raw(HttpMethod.POST, "/v1/admin/users/" + user.id() + "/credits", ADMIN,
        "{\"amount\": 5, \"reason\": \"a\\u0000b\"}");
    assertError(reply, 400, "VALIDATION_ERROR");
    assertThat(reply.json().getString("field")).isEqualTo("reason");
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getLong("credits")).isZero();
  }

  @Test
  void brokenQueryEncodingIs400() {
    TestUser user = service.api().createUser(0);
    assertError(raw(HttpMethod.GET, "/v1/me/transactions?limit=%zz", user.apiKey(), null), 400,
        "VALIDATION_ERROR");
    assertError(raw(HttpMethod.GET, "/v1/generations?cursor=%", user.apiKey(), null), 400, "VALIDATION_ERROR");
  }

  @Test
  void forgedGenerationCursorIs400() {
    TestUser user = service.api().createUser(0);
    String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        ("g1." + Long.MAX_VALUE + "." + Long.MAX_VALUE + "." + java.util.UUID.randomUUID()).getBytes());
    assertError(raw(HttpMethod.GET, "/v1/generations?cursor=" + forged, user.apiKey(), null), 400,
        "VALIDATION_ERROR");
  }

  @Test
  void callersRequestIdIsEchoedWhenItIsPlain() {
    Reply reply = raw(HttpMethod.GET, "/v1/me", null, null, "X-Request-Id", "trace-123");
    assertThat(reply.header("X-Request-Id")).isEqualTo("trace-123");
    assertThat(reply.json().getString("requestId")).isEqualTo("trace-123");
    Reply odd = raw(HttpMethod.GET, "/v1/me", null, null, "X-Request-Id", "bad id with spaces");
    assertThat(odd.header("X-Request-Id")).isNotEqualTo("bad id with spaces").isNotBlank();
  }
}
