package dev.gengate.provider;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in provider: after {@code delay} (a timer, not a sleep) it renders PNGs of the prompt on a worker
 * thread. No network; it exists so a fresh install does real, observable work.
 */
final class DemoProvider implements ImageProvider {
  static final int DEFAULT_SIDE = 256;

  private final Vertx vertx;
  private final ModelConfig model;

  DemoProvider(Vertx vertx, ModelConfig model) {
    this.vertx = vertx;
    this.model = model;
  }

  @Override
  public ProviderCall generate(ImageRequest request) {
    ProviderCall call = new ProviderCall();
    long delay = model.delay().toMillis();
    if (delay <= 0) {
      render(request, call);
    } else {
      long timer = vertx.setTimer(delay, t -> render(request, call));
      call.onAbort(() -> vertx.cancelTimer(timer));
    }
    return call;
  }

  private void render(ImageRequest request, ProviderCall call) {
    if (call.isDone()) {
      return;
    }
    ImageParams params = request.params();
    int width = params.width() == null ? DEFAULT_SIDE : params.width();
    int height = params.height() == null ? DEFAULT_SIDE : params.height();
    // Unordered: renders of different generations run in parallel on the worker pool.
    vertx.executeBlocking(() -> {
      List<ProviderResult.Image> images = new ArrayList<>();
      for (int i = 0; i < params.n(); i++) {
        images.add(ProviderResult.Image.stored("image/png", DemoImage.png(request.prompt(), i, width, height)));
      }
      return new ProviderResult(images);
    }, false).onComplete(call::settle);
  }
}
