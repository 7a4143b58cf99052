package dev.gengate.testing;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The base of extensions that put something on a Vert.x for a whole test class. The Vert.x is made before the
 * class's {@code @BeforeAll} methods run and closed, with all that was started on it, after its
 * {@code @AfterAll} methods, so a class can still set up and tear down its own things around it.
 */
public abstract class VertxPerClass implements BeforeAllCallback, AfterAllCallback {
  private Vertx vertx;

  /** Starts what the extension offers on the class's Vert.x. */
  protected abstract void start(Vertx vertx);

  /** The class's Vert.x; override for one with other options, e.g. with metrics. */
  protected Vertx newVertx() {
    return Vertx.vertx();
  }

  @Override
  public final void beforeAll(ExtensionContext context) {
    vertx = newVertx();
    start(vertx);
  }

  @Override
  public final void afterAll(ExtensionContext context) {
    if (vertx != null) {
      vertx.close().await();
    }
  }

  public Vertx vertx() {
    return vertx;
  }
}
