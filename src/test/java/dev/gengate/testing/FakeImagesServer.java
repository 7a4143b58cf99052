package dev.gengate.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;

/**
 * A local server speaking the OpenAI Images protocol ({@code POST /v1/images/generations}) on 127.0.0.1. The
 * prompt's first word picks the behaviour: {@code b64} (default) answers a PNG as b64_json, {@code url} a URL,
 * {@code status500} HTTP 500, {@code malformed} broken JSON, {@code empty} no images, {@code hang} never answers,
 * {@code late:MS} answers b64 after MS milliseconds. It records every request and which ones the client aborted.
 */
public final class FakeImagesServer {
  public static final String REMOTE_URL = "https://images.example.test/generated/1.png";
  public static final byte[] PNG = png();

  private final Vertx vertx;
  private final HttpServer server;
  private final List<JsonObject> bodies = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> aborted = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> answeredLate = new ConcurrentHashMap<>();

  private FakeImagesServer(Vertx vertx) {
    this.vertx = vertx;
    server = vertx.createHttpServer().requestHandler(this::handle);
  }

  public static FakeImagesServer start(Vertx vertx) {
    FakeImagesServer fake = new FakeImagesServer(vertx);
    try {
      fake.server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return fake;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public int requests(String prompt) {
    return counter(requests, prompt).get();
  }

  public int aborted(String prompt) {
    return counter(aborted, prompt).get();
  }

  public int answeredLate(String prompt) {
    return counter(answeredLate, prompt).get();
  }

  public List<JsonObject> bodies() {
    return bodies;
  }

  public List<String> authorizations() {
    return authorizations;
  }

  private void handle(HttpServerRequest request) {
    if (!request.path().equals("/v1/images/generations")) {
      request.response().setStatusCode(404).end();
      return;
    }
    request.body().onSuccess(buffer -> {
      JsonObject body = buffer.toJsonObject();
      bodies.add(body);
      authorizations.add(String.valueOf(request.getHeader("Authorization")));
      String prompt = body.getString("prompt");
      counter(requests, prompt).incrementAndGet();
      request.response().closeHandler(v -> {
        if (!request.response().ended()) {
          counter(aborted, prompt).incrementAndGet();
        }
      });
      String behaviour = prompt.split(" ")[0];
      int n = body.getInteger("n", 1);
      if (behaviour.startsWith("late:")) {
        long delay = Long.parseLong(behaviour.substring("late:".length()));
        vertx.setTimer(delay, t -> {
          if (!request.response().closed()) {
            counter(answeredLate, prompt).incrementAndGet();
            json(request, 200, b64(n).encode());
          }
        });
        return;
      }
      switch (behaviour) {
        case "hang" -> { }
        case "url" -> json(request, 200, new JsonObject().put("created", 1).put("data",
            new JsonArray().add(new JsonObject().put("url", REMOTE_URL)))
            .encode());
        case "status500" -> json(request, 500, "{\"error\":{\"message\":\"upstream exploded\"}}");
        case "malformed" -> json(request, 200, "{\"data\": [{\"b64_json\": ");
        case "empty" -> json(request, 200, "{\"created\": 1, \"data\": []}");
        default -> json(request, 200, b64(n).encode());
      }
    });
  }

  private static JsonObject b64(int n) {
    JsonArray data = new JsonArray();
    for (int i = 0; i < n; i++) {
      data.add(new JsonObject().put("b64_json", Base64.getEncoder().encodeToString(PNG)));
    }
    return new JsonObject().put("created", 1).put("data", data);
  }

  private static void json(HttpServerRequest request, int status, String body) {
    request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }

  private static AtomicInteger counter(Map<String, AtomicInteger> map, String prompt) {
    return map.computeIfAbsent(prompt, p -> new AtomicInteger());
  }

  private static byte[] png() {
    System.setProperty("java.awt.headless", "true");
    BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    image.setRGB(3, 3, Color.RED.getRGB());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
