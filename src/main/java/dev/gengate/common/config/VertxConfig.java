package dev.gengate.common.config;

import io.vertx.core.VertxOptions;

/** {@code vertx.*}: the thread pools of the process. Zero event loops means the Vert.x default, 2 × CPU cores. */
public record VertxConfig(int eventLoops, int workerPoolSize) {
  public static VertxConfig from(ConfigReader root) {
    ConfigReader vertx = root.section("vertx");
    return new VertxConfig(
        vertx.intValue("eventLoops", 0, 0, 1024),
        vertx.intValue("workerPoolSize", 20, 1, 1024));
  }

  public VertxOptions options() {
    VertxOptions options = new VertxOptions().setWorkerPoolSize(workerPoolSize);
    return eventLoops == 0 ? options : options.setEventLoopPoolSize(eventLoops);
  }
}
