package dev.gengate.testing;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.TimeUnit;

/**
 * A small client for the service's HTTP API, as a real client sees it. {@code send} returns a future (for
 * concurrency tests); the other methods block the test thread (never an event loop) until the answer.
 */
public final class Api {
  private final WebClient client;

  public Api(Vertx vertx, int port) {
    this.client = WebClient.create(vertx,
        new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(256));
  }

  public Future<Reply> send(HttpMethod method, String path, String token, String body, MultiMap headers) {
    var request = client.request(method, path).putHeaders(headers);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    Future<HttpResponse<Buffer>> response = body == null
        ? request.send()
        : request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body));
    return response.map(Reply::new);
  }

  public Future<Reply> send(HttpMethod method, String path, String token, JsonObject body) {
    return send(method, path, token, body == null ? null : body.encode(), MultiMap.caseInsensitiveMultiMap());
  }

  public Reply call(HttpMethod method, String path, String token, JsonObject body) {
    return await(send(method, path, token, body));
  }

  public Reply call(HttpMethod method, String path, String token, String body, MultiMap headers) {
    return await(send(method, path, token, body, headers));
  }

  public Reply get(String path, String token) {
    return call(HttpMethod.GET, path, token, null);
  }

  public Reply post(String path, String token, JsonObject body) {
    return call(HttpMethod.POST, path, token, body);
  }

  /** Creates a user through the admin API; returns the user id and API key. */
  public TestUser createUser(JsonObject body) {
    Reply reply = post("/v1/admin/users", TestService.ADMIN_TOKEN, body);
    if (reply.status() != 201) {
      throw new AssertionError("creating a user answered " + reply.status() + " " + reply.text());
    }
    JsonObject json = reply.json();
    return new TestUser(json.getJsonObject("user").getString("id"), json.getString("apiKey"));
  }

  public TestUser createUser(long credits) {
    return createUser(new JsonObject().put("credits", credits));
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("request failed: " + e, e);
    }
  }

  /** An HTTP answer with its body read. */
  public record Reply(int status, MultiMap headers, String text) {
    Reply(HttpResponse<Buffer> response) {
      this(response.statusCode(), response.headers(), response.bodyAsString());
    }

    public JsonObject json() {
      return new JsonObject(text);
    }

    public String header(String name) {
      return headers.get(name);
    }

    @Override
    public String toString() {
      return status + " " + text;
    }
  }

  public record TestUser(String id, String apiKey) {}
}
