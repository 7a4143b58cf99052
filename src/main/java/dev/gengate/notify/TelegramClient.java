package dev.gengate.notify;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.TimeUnit;

/**
 * Calls the Bot API's {@code sendMessage} and says what the answer means for the message. It never fails:
 * every problem, the network's included, becomes a {@link Result}. The token is part of the request path and
 * is scrubbed from every text this class returns.
 */
final class TelegramClient {
  /** What one attempt came to. */
  sealed interface Result {}

  record Sent() implements Result {}

  /** Flood control: the chat may be written to again after {@code retryAfterSeconds}. */
  record RateLimited(long retryAfterSeconds, String error) implements Result {}

  /**
   * Worth trying again later. {@code cause}: {@code network} (no connection, timeout), {@code server_error}
   * (5xx, or an answer that is not the Bot API's), {@code rate_limited} (429 without retry_after) or
   * {@code misconfigured} (401/404: Telegram rejected the bot itself, a wrong token or base URL, not the message).
   */
  record Transient(String cause, String error) implements Result {
    boolean misconfigured() {
      return cause.equals("misconfigured");
    }
  }

  /** This message will never be accepted (e.g. 400 chat not found, 403 bot blocked by the user). */
  record Permanent(int errorCode, String error) implements Result {}

  private final WebClient client;
  private final String sendMessageUrl;
  private final String token;
  private final long timeoutMillis;

  TelegramClient(Vertx vertx, TelegramConfig config, int maxConnections) {
    this.token = config.botToken();
    this.timeoutMillis = config.requestTimeout().toMillis();
    String base = config.apiBaseUrl().toString().replaceAll("/+$", "");
    this.sendMessageUrl = base + "/bot" + token + "/sendMessage";
    this.client = WebClient.create(vertx,
        new WebClientOptions()
            .setUserAgent("gengate")
            .setKeepAlive(true)
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis)),
        // One connection per message in flight: a hanging chat never queues another chat's message behind it.
        new PoolOptions().setHttp1MaxSize(maxConnections).setMaxWaitQueueSize(maxConnections));
  }

  Future<Result> sendMessage(long chatId, String text) {
    JsonObject body = new JsonObject().put("chat_id", chatId).put("text", text);
    return client.postAbs(sendMessageUrl)
        .timeout(timeoutMillis)
        .sendJsonObject(body)
        // The request timeout above is an idle timeout; this one bounds the whole call.
        .timeout(timeoutMillis + 1_000, TimeUnit.MILLISECONDS)
        .map(this::classify)
        .otherwise(failure -> new Transient("network", scrub(describe(failure))));
  }

  /** Closes the connections; requests still on the wire fail (and come back as {@link Transient}). */
  void close() {
    client.close();
  }

  private Result classify(HttpResponse<Buffer> response) {
    JsonObject json = parse(response.body());
    if (response.statusCode() == 200 && json != null && Boolean.TRUE.equals(json.getValue("ok"))) {
      return new Sent();
    }
    int code = json != null && json.getValue("error_code") instanceof Number n ? n.intValue() : response.statusCode();
    String description = json != null && json.getValue("description") instanceof String d
        ? d : response.statusCode() + " " + response.statusMessage();
    String error = scrub("HTTP " + response.statusCode() + ": " + description);
    if (code == 429) {
      JsonObject parameters = json == null ? null : json.getJsonObject("parameters");
      Object retryAfter = parameters == null ? null : parameters.getValue("retry_after");
      if (retryAfter instanceof Number seconds && seconds.longValue() >= 0) {
        return new RateLimited(seconds.longValue(), error);
      }
      return new Transient("rate_limited", error);
    }
    if (code == 401 || code == 404) {
      return new Transient("misconfigured", error);
    }
    if (code >= 400 && code < 500) {
      return new Permanent(code, error);
    }
    // 5xx, a 200 that is not a Bot API answer (a proxy's page), anything unexpected.
    return new Transient("server_error", error);
  }

  private static JsonObject parse(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      Object value = body.toJsonValue();
      return value instanceof JsonObject json ? json : null;
    } catch (DecodeException e) {
      return null;
    }
  }

  private static String describe(Throwable failure) {
    String message = failure.getMessage();
    return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** Removes the token from a text (Vert.x puts the request URI in some exception messages). */
  String scrub(String text) {
    return token.isEmpty() || text == null ? text : text.replace(token, "<token>");
  }
}
