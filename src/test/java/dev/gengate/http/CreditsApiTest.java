package dev.gengate.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.testing.Api;
import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.RunningService;
import dev.gengate.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CreditsApiTest {
  @RegisterExtension
  static final RunningService service = new RunningService().checkingLedgerAfterEach();

  private static Future<Reply> adjust(TestUser user, long amount, String key) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (key != null) {
      headers.add("Idempotency-Key", key);
    }
    return service.api().send(HttpMethod.POST, "/v1/admin/users/" + user.id() + "/credits", TestService.ADMIN_TOKEN,
        new JsonObject().put("amount", amount).put("reason", "test").encode(), headers);
  }

  private static long balance(TestUser user) {
    return service.api().get("/v1/me", user.apiKey()).json().getLong("credits");
  }

  @Test
  void initialCreditsAreATopUpEntry() {
    TestUser user = service.api().createUser(25);
    JsonArray items = service.api().get("/v1/me/transactions", user.apiKey()).json().getJsonArray("items");
    assertThat(items).hasSize(1);
    assertThat(items.getJsonObject(0).getString("type")).isEqualTo("TOPUP");
    assertThat(items.getJsonObject(0).getLong("amount")).isEqualTo(25);
    assertThat(items.getJsonObject(0).getLong("balanceAfter")).isEqualTo(25);
  }

  @Test
  void topUpAndNegativeAdjustmentMoveTheBalanceAndAreListedNewestFirst() {
    TestUser user = service.api().createUser(0);
    Reply topUp = Api.await(adjust(user, 40, null));
    assertThat(topUp.status()).isEqualTo(201);
    assertThat(topUp.json().getString("type")).isEqualTo("TOPUP");
    Reply debit = Api.await(adjust(user, -15, null));
    assertThat(debit.json().getString("type")).isEqualTo("ADJUSTMENT");
    assertThat(debit.json().getLong("balanceAfter")).isEqualTo(25);
    assertThat(balance(user)).isEqualTo(25);
    JsonArray items = service.api().get("/v1/me/transactions", user.apiKey()).json().getJsonArray("items");
    assertThat(items.stream().map(i -> ((JsonObject) i).getLong("amount"))).containsExactly(-15L, 40L);
  }

  @Test
  void twoHundredConcurrentAdjustmentsKeepBalanceEqualToTheSumOfEntries() {
    TestUser user = service.api().createUser(1000);
    List<Future<Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      replies.add(adjust(user, i % 2 == 0 ? 7 : -3, null));
    }
    List<Reply> done = Api.await(Future.all(replies)).list();
    assertThat(done).extracting(Reply::status).containsOnly(201);
    assertThat(balance(user)).isEqualTo(1000 + 100 * 7 - 100 * 3);
    assertBalanceChainIsUnbroken(user);
  }

  /** Ordered by id, each entry's balanceAfter is the previous one plus its amount: changes were serialized. */
  private static void assertBalanceChainIsUnbroken(TestUser user) {
    List<JsonObject> entries = new ArrayList<>();
    String cursor = null;
    do {
      JsonObject page = service.api().get("/v1/me/transactions?limit=200" + (cursor == null ? "" : "&cursor=" + cursor),
          user.apiKey()).json();
      page.getJsonArray("items").forEach(item -> entries.add((JsonObject) item));
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    java.util.Collections.reverse(entries);
    long balance = 0;
    for (JsonObject entry : entries) {
      balance += entry.getLong("amount");
      assertThat(entry.getLong("balanceAfter")).as("balance after entry %s", entry.getLong("id")).isEqualTo(balance);
    }
  }

  @Test
  void sameIdempotencyKeyFromTwentyConcurrentClientsIsAppliedOnce() {
    TestUser user = service.api().createUser(0);
    List<Future<Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      replies.add(adjust(user, 50, "topup-once"));
    }
    List<Reply> done = Api.await(Future.all(replies)).list();
    assertThat(done).extracting(Reply::status).containsOnly(201);
    assertThat(done).extracting(r -> r.json().getLong("id")).containsOnly(done.get(0).json().getLong("id"));
    assertThat(balance(user)).isEqualTo(50);
    Reply later = Api.await(adjust(user, 50, "topup-once"));
    assertThat(later.json().getLong("id")).isEqualTo(done.get(0).json().getLong("id"));
    assertThat(balance(user)).isEqualTo(50);
  }

  @Test
  void concurrentUsesOfAKeyForADebitThatEmptiesTheBalanceAllReplayTheOneEntry() {
    TestUser user = service.api().createUser(5);
    List<Future<Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      replies.add(adjust(user, -5, "empty-it"));
    }
    List<Reply> done = Api.await(Future.all(replies)).list();
    assertThat(done).extracting(Reply::status).containsOnly(201);
    assertThat(done).extracting(r -> r.json().getLong("id")).containsOnly(done.get(0).json().getLong("id"));
    assertThat(balance(user)).isZero();
  }

  @Test
  void idempotencyKeysAreScopedPerUser() {
    TestUser first = service.api().createUser(0);
    TestUser second = service.api().createUser(0);
    assertThat(Api.await(adjust(first, 5, "shared-key")).status()).isEqualTo(201);
    assertThat(Api.await(adjust(second, 5, "shared-key")).status()).isEqualTo(201);
    assertThat(balance(first)).isEqualTo(5);
    assertThat(balance(second)).isEqualTo(5);
  }

  @Test
  void reusedKeyWithAnotherAmountIs422AndChangesNothing() {
    TestUser user = service.api().createUser(0);
    assertThat(Api.await(adjust(user, 10, "k1")).status()).isEqualTo(201);
    Reply mismatch = Api.await(adjust(user, 11, "k1"));
    assertThat(mismatch.status()).isEqualTo(422);
    assertThat(mismatch.json().getString("code")).isEqualTo("IDEMPOTENCY_KEY_MISMATCH");
    assertThat(balance(user)).isEqualTo(10);
  }

  @Test
  void concurrentNegativeAdjustmentsNeverTakeTheBalanceBelowZero() {
    TestUser user = service.api().createUser(10);
    List<Future<Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      replies.add(adjust(user, -1, null));
    }
    List<Reply> done = Api.await(Future.all(replies)).list();
    assertThat(done.stream().filter(r -> r.status() == 201)).hasSize(10);
    assertThat(done.stream().filter(r -> r.status() == 402)).hasSize(50)
        .allSatisfy(r -> assertThat(r.json().getString("code")).isEqualTo("INSUFFICIENT_CREDITS"));
    assertThat(balance(user)).isZero();
  }

  @Test
  void debitBeyondTheBalanceIs402WithRequiredAndAvailable() {
    TestUser user = service.api().createUser(3);
    Reply reply = Api.await(adjust(user, -5, "too-much"));
    assertThat(reply.status()).isEqualTo(402);
    assertThat(reply.json().getLong("required")).isEqualTo(5);
    assertThat(reply.json().getLong("available")).isEqualTo(3);
    assertThat(reply.json().getString("message")).isEqualTo("Not enough credits. Required 5 💎, available 3 💎.");
    assertThat(balance(user)).isEqualTo(3);
    // The refused request did not burn its key: the same key can carry a request that fits.
    assertThat(Api.await(adjust(user, -3, "too-much2")).status()).isEqualTo(201);
  }

  @Test
  void transactionsPageWithACursorWithoutGapsOrRepeats() {
    TestUser user = service.api().createUser(1);
    for (int i = 0; i < 4; i++) {
      Api.await(adjust(user, 1, null));
    }
    List<Long> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Reply page = service.api().get("/v1/me/transactions?limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
          user.apiKey());
      assertThat(page.status()).isEqualTo(200);
      page.json().getJsonArray("items").forEach(item -> seen.add(((JsonObject) item).getLong("id")));
      cursor = page.json().getString("nextCursor");
      pages++;
    } while (cursor != null);
    assertThat(pages).isEqualTo(3);
    assertThat(seen).hasSize(5).doesNotHaveDuplicates().isSortedAccordingTo((a, b) -> Long.compare(b, a));
  }

  @Test
  void premiumFlagCanBeSetAndChangesTheReportedTier() {
    TestUser user = service.api().createUser(0);
    Reply patched = service.api().call(HttpMethod.PATCH, "/v1/admin/users/" + user.id(), TestService.ADMIN_TOKEN,
        new JsonObject().put("premium", true));
    assertThat(patched.status()).isEqualTo(200);
    JsonObject me = service.api().get("/v1/me", user.apiKey()).json();
    assertThat(me.getBoolean("premium")).isTrue();
    assertThat(me.getJsonObject("limits")).isEqualTo(new JsonObject().put("maxActive", 10).put("perMinute", 30));
    JsonObject admin = service.api().get("/v1/admin/users/" + user.id(), TestService.ADMIN_TOKEN).json();
    assertThat(admin.getBoolean("premium")).isTrue();
  }

  @Test
  void userCreatedWithTelegramIdAndLanguageKeepsThem() {
    long telegramId = 7_000_000_000L + System.nanoTime() % 1_000_000;
    Reply created = service.api().post("/v1/admin/users", TestService.ADMIN_TOKEN,
        new JsonObject().put("telegramId", telegramId).put("language", "ru").put("premium", true));
    assertThat(created.status()).isEqualTo(201);
    JsonObject user = created.json().getJsonObject("user");
    assertThat(user.getLong("telegramId")).isEqualTo(telegramId);
    assertThat(user.getString("language")).isEqualTo("ru");
    Reply duplicate = service.api().post("/v1/admin/users", TestService.ADMIN_TOKEN,
        new JsonObject().put("telegramId", telegramId));
    assertThat(duplicate.status()).isEqualTo(400);
    assertThat(duplicate.json().getString("field")).isEqualTo("telegramId");
  }
}
