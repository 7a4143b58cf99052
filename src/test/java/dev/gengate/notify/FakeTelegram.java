package dev.gengate.notify;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A local server speaking the Bot API's {@code sendMessage}, on 127.0.0.1: records every request with the time
 * it arrived and answers as the test tells it (success, an error answer, a delay, or nothing at all).
 */
final class FakeTelegram implements AutoCloseable {
  /** One sendMessage call as received; {@code nth} counts calls to that chat, from 1. */
  record Call(long chatId, String text, long atNanos, int nth) {}

  /** How to answer one call. */
  sealed interface Answer {}

  record Ok(long delayMillis) implements Answer {}

  record Error(int status, JsonObject body) implements Answer {}

  record Hang() implements Answer {}

  static final Answer OK = new Ok(0);
  static final Answer HANG = new Hang();

  private final HttpServer server;
  private final String token;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final AtomicInteger messageIds = new AtomicInteger();
  private volatile Function<Call, Answer> answers = call -> OK;

  private FakeTelegram(HttpServer server, String token) {
    this.server = server;
    this.token = token;
  }

  static FakeTelegram start(Vertx vertx, String token) {
    FakeTelegram[] holder = new FakeTelegram[1];
    HttpServer server = vertx.createHttpServer().requestHandler(request -> holder[0].handle(request));
    holder[0] = new FakeTelegram(server, token);
    await(server.listen(0, "127.0.0.1"));
    return holder[0];
  }

  static Answer error(int code, String description) {
    return new Error(code, new JsonObject().put("ok", false).put("error_code", code).put("description", description));
  }

  static Answer retryAfter(int seconds) {
    return new Error(429, new JsonObject().put("ok", false).put("error_code", 429)
        .put("description", "Too Many Requests: retry after " + seconds)
        .put("parameters", new JsonObject().put("retry_after", seconds)));
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  void answer(Function<Call, Answer> answers) {
    this.answers = answers;
  }

  List<Call> calls() {
    return List.copyOf(calls);
  }

  List<Call> callsTo(long chatId) {
    return calls.stream().filter(c -> c.chatId() == chatId).toList();
  }

  /** Waits until the chat got at least {@code count} calls; returns them. */
  List<Call> awaitCalls(long chatId, int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      List<Call> got = callsTo(chatId);
      if (got.size() >= count) {
        return got;
      }
      sleep(10);
    }
    throw new AssertionError("chat " + chatId + " got " + callsTo(chatId).size() + " call(s), expected "
        + count + " within " + timeout + "; all calls: " + calls);
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      long at = System.nanoTime();
      if (!request.path().equals("/bot" + token + "/sendMessage")) {
        request.response().setStatusCode(404).putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("ok", false).put("error_code", 404).put("description", "Not Found").encode());
        return;
      }
      JsonObject json = body.toJsonObject();
      long chatId = json.getLong("chat_id");
      Call call;
      synchronized (calls) {
        int nth = (int) calls.stream().filter(c -> c.chatId() == chatId).count() + 1;
        call = new Call(chatId, json.getString("text"), at, nth);
        calls.add(call);
      }
      Answer answer = answers.apply(call);
      if (answer instanceof Hang) {
        return; // never answers; the client's timeout has to deal with it
      }
      if (answer instanceof Error error) {
        request.response().setStatusCode(error.status()).putHeader("Content-Type", "application/json")
            .end(error.body().encode());
        return;
      }
      JsonObject ok = new JsonObject().put("ok", true).put("result", new JsonObject()
          .put("message_id", messageIds.incrementAndGet())
          .put("chat", new JsonObject().put("id", chatId).put("type", "private"))
          .put("date", System.currentTimeMillis() / 1000)
          .put("text", call.text()));
      long delay = ((Ok) answer).delayMillis();
      Runnable reply = () -> request.response().putHeader("Content-Type", "application/json").end(ok.encode());
      if (delay > 0) {
        Vertx.currentContext().owner().setTimer(delay, id -> reply.run());
      } else {
        reply.run();
      }
    });
  }

  @Override
  public void close() {
    await(server.close());
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
