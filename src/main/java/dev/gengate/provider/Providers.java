package dev.gengate.provider;

import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.HashMap;
import java.util.Map;

/** The provider of every configured model, sharing one HTTP client; close it with the verticle. */
public final class Providers implements AutoCloseable {
  private final WebClient client;
  private final Map<String, ImageProvider> byModel = new HashMap<>();

  public Providers(Vertx vertx, ModelCatalog catalog) {
    this.client = WebClient.create(vertx, new WebClientOptions()
        .setUserAgent("gengate")
        .setConnectTimeout(10_000)
        .setFollowRedirects(false), new PoolOptions().setHttp1MaxSize(64));
    AbortableRequests aborts = new AbortableRequests(client);
    for (ModelConfig model : catalog.models().values()) {
      byModel.put(model.name(), switch (model.provider()) {
        case ModelConfig.OPENAI_IMAGES -> new OpenAiImagesProvider(client, aborts, model);
        default -> new DemoProvider(vertx, model);
      });
    }
  }

  /** The model's provider, or null for a model no longer configured. */
  public ImageProvider forModel(String model) {
    return byModel.get(model);
  }

  @Override
  public void close() {
    client.close();
  }
}
