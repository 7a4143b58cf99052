package dev.gengate.testing;

import io.vertx.core.Vertx;

/**
 * A fake OpenAI Images provider on a Vert.x of its own for a whole test class, for tests whose services run as
 * child processes ({@link ServiceProcess}) and need an upstream to call. The tests' API clients ride on the same
 * Vert.x. Register it as {@code @RegisterExtension static final FakeProvider provider = new FakeProvider();}; it
 * is closed after the class's {@code @AfterAll} methods, so those can still stop the processes first.
 */
public final class FakeProvider extends VertxPerClass {
  private FakeImagesServer server;

  @Override
  protected void start(Vertx vertx) {
    server = FakeImagesServer.start(vertx);
  }

  public FakeImagesServer server() {
    return server;
  }

  /** A client for a service listening on {@code port}. */
  public Api api(int port) {
    return new Api(vertx(), port);
  }
}
