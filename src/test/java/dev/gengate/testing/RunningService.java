package dev.gengate.testing;

import dev.gengate.AppConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link TestService} shared by all tests of a class, on a Vert.x of its own that is closed with everything
 * on it when the class is done (see {@link VertxPerClass}). Register it as
 * {@code @RegisterExtension static final RunningService service = new RunningService();}.
 *
 * <p>With {@link #checkingLedgerAfterEach()} every test also ends with {@link LedgerInvariants#assertHold()},
 * after the class's own {@code @AfterEach} methods.
 */
public final class RunningService extends VertxPerClass implements AfterEachCallback {
  private final Function<Vertx, JsonObject> overrides;
  private Supplier<Vertx> vertxFactory = Vertx::vertx;
  private boolean checkLedger;

  private TestService service;
  private Api api;

  /** The service with the bundled defaults. */
  public RunningService() {
    this(new JsonObject());
  }

  /** The service with {@code overrides} merged over the defaults, as {@link TestService#start(Vertx, JsonObject)}. */
  public RunningService(JsonObject overrides) {
    this(vertx -> overrides);
  }

  /**
   * For overrides that can only be written once something runs on the service's Vert.x, such as the address of
   * a fake provider: {@code overrides} gets that Vert.x before the service starts and may start servers on it.
   */
  public RunningService(Function<Vertx, JsonObject> overrides) {
    this.overrides = overrides;
  }

  /** Builds the Vert.x with {@code factory} instead of {@link Vertx#vertx()}, e.g. one that records metrics. */
  public RunningService on(Supplier<Vertx> factory) {
    this.vertxFactory = factory;
    return this;
  }

  /** For classes whose tests move money: a broken invariant fails the test that broke it. */
  public RunningService checkingLedgerAfterEach() {
    this.checkLedger = true;
    return this;
  }

  @Override
  protected Vertx newVertx() {
    return vertxFactory.get();
  }

  @Override
  protected void start(Vertx vertx) {
    service = TestService.start(vertx, overrides.apply(vertx));
    api = service.api();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (checkLedger) {
      LedgerInvariants.assertHold();
    }
  }

  /** The same client on every call, where {@link TestService#api()} would open a new one each time. */
  public Api api() {
    return api;
  }

  public TestService service() {
    return service;
  }

  public AppConfig config() {
    return service.config();
  }

  public int port() {
    return service.port();
  }
}
