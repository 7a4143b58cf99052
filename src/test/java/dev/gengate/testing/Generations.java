package dev.gengate.testing;

import dev.gengate.testing.Api.Reply;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.function.BooleanSupplier;

/** Generation calls and waits shared by the generation tests. */
public final class Generations {
  public static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled");

  private Generations() {}

  public static JsonObject body(String prompt, String model) {
    JsonObject body = new JsonObject().put("prompt", prompt);
    return model == null ? body : body.put("model", model);
  }

  public static Reply create(Api api, String apiKey, JsonObject body, String idempotencyKey) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (idempotencyKey != null) {
      headers.add("Idempotency-Key", idempotencyKey);
    }
    return api.call(HttpMethod.POST, "/v1/generations", apiKey, body.encode(), headers);
  }

  /** Creates and insists on 202; returns the generation id. */
  public static String start(Api api, String apiKey, String prompt, String model) {
    Reply reply = create(api, apiKey, body(prompt, model), null);
    if (reply.status() != 202) {
      throw new AssertionError("create answered " + reply);
    }
    return reply.json().getString("id");
  }

  /**
   * Starts a generation on a model served by {@code fake} and returns once the provider call is under way, for
   * tests that act while the provider holds the request (prompts that make it hang or answer late).
   */
  public static String startCallingProvider(Api api, String apiKey, String prompt, String model,
      FakeImagesServer fake) {
    String id = start(api, apiKey, prompt, model);
    awaitStatus(id, "processing");
    eventually("the provider to be called for \"" + prompt + "\"", () -> fake.requests(prompt) == 1);
    return id;
  }

  public static Reply get(Api api, String apiKey, String id, String prefer) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (prefer != null) {
      headers.add("Prefer", prefer);
    }
    return api.call(HttpMethod.GET, "/v1/generations/" + id, apiKey, null, headers);
  }

  public static Reply cancel(Api api, String apiKey, String id) {
    return api.post("/v1/generations/" + id + "/cancel", apiKey, null);
  }

  /** Waits (with {@code Prefer: wait}) until the generation is terminal; returns it. */
  public static JsonObject awaitEnd(Api api, String apiKey, String id) {
    long until = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < until) {
      Reply reply = get(api, apiKey, id, "wait=10");
      if (reply.status() != 200) {
        throw new AssertionError("get answered " + reply);
      }
      if (TERMINAL.contains(reply.json().getString("status"))) {
        return reply.json();
      }
    }
    throw new AssertionError("generation " + id + " did not end in 30 s");
  }

  /** Polls the database until the generation has the status (test-side polling; the service never polls so). */
  public static void awaitStatus(String id, String status) {
    eventually("generation " + id + " to be " + status, () -> status.equals(Db.status(id)));
  }

  public static void eventually(String what, BooleanSupplier condition) {
    long until = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < until) {
      if (condition.getAsBoolean()) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("timed out waiting for " + what);
  }
}
