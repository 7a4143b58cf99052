package dev.gengate.provider;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Any server speaking the OpenAI Images API: {@code POST {baseUrl}/v1/images/generations} with
 * {@code {model, prompt, n, size}} and a bearer key. {@code data[].url} is kept as is, {@code data[].b64_json}
 * is decoded for the service to store. Non-2xx, malformed JSON or no images → PROVIDER_ERROR.
 */
final class OpenAiImagesProvider implements ImageProvider {
  static final String DEFAULT_SIZE = "1024x1024";
  private static final String PATH = "/v1/images/generations";

  private final WebClient client;
  private final AbortableRequests aborts;
  private final ModelConfig model;
  private final String url;

  OpenAiImagesProvider(WebClient client, AbortableRequests aborts, ModelConfig model) {
    this.client = client;
    this.aborts = aborts;
    this.model = model;
    String base = model.baseUrl().toString();
    this.url = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + PATH;
  }

  @Override
  public ProviderCall generate(ImageRequest request) {
    ProviderCall call = new ProviderCall();
    JsonObject body = new JsonObject()
        .put("model", model.upstreamModel())
        .put("prompt", request.prompt())
        .put("n", request.params().n())
        .put("size", request.params().size(DEFAULT_SIZE));
    HttpRequest<Buffer> http = client.postAbs(url).timeout(Math.max(1, request.timeout().toMillis()));
    if (!model.apiKey().isBlank()) {
      http.bearerTokenAuthentication(model.apiKey());
    }
    aborts.track(http, call);
    http.sendJsonObject(body)
        .<ProviderResult>transform(sent -> {
          aborts.forget(http);
          if (sent.failed()) {
            return Future.failedFuture(ProviderCall.providerError("provider unreachable: "
                + sent.cause().getClass().getSimpleName()));
          }
          return parse(sent.result());
        })
        .onComplete(call::settle);
    return call;
  }

  private static Future<ProviderResult> parse(HttpResponse<Buffer> response) {
    if (response.statusCode() < 200 || response.statusCode() > 299) {
      return Future.failedFuture(ProviderCall.providerError("provider answered HTTP " + response.statusCode()));
    }
    Object json;
    try {
      json = response.body() == null || response.body().length() == 0 ? null : response.body().toJsonValue();
    } catch (DecodeException e) {
      json = null;
    }
    if (!(json instanceof JsonObject object)) {
      return Future.failedFuture(ProviderCall.providerError("provider answered malformed JSON"));
    }
    if (!(object.getValue("data") instanceof JsonArray data) || data.isEmpty()) {
      return Future.failedFuture(ProviderCall.providerError("provider answered no images"));
    }
    List<ProviderResult.Image> images = new ArrayList<>();
    for (Object item : data) {
      ProviderResult.Image image = item instanceof JsonObject entry ? image(entry) : null;
      if (image == null) {
        return Future.failedFuture(ProviderCall.providerError("provider answered an image without url or b64_json"));
      }
      images.add(image);
    }
    return Future.succeededFuture(new ProviderResult(images));
  }

  private static ProviderResult.Image image(JsonObject entry) {
    if (entry.getValue("b64_json") instanceof String b64 && !b64.isEmpty()) {
      try {
        byte[] bytes = Base64.getMimeDecoder().decode(b64);
        return bytes.length == 0 ? null : ProviderResult.Image.stored(contentType(bytes), bytes);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    if (entry.getValue("url") instanceof String url && !url.isBlank()) {
      return ProviderResult.Image.remote(url);
    }
    return null;
  }

  /** The image format by its magic bytes; OpenAI answers PNG unless asked otherwise. */
  static String contentType(byte[] bytes) {
    if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xFF && (bytes[1] & 0xff) == 0xD8 && (bytes[2] & 0xff) == 0xFF) {
      return "image/jpeg";
    }
    if (bytes.length >= 12 && bytes[0] == 'R' && bytes[1] == 'I' && bytes[2] == 'F' && bytes[3] == 'F'
        && bytes[8] == 'W' && bytes[9] == 'E' && bytes[10] == 'B' && bytes[11] == 'P') {
      return "image/webp";
    }
    return "image/png";
  }
}
