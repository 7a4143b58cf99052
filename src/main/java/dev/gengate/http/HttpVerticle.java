package dev.gengate.http;

import dev.gengate.common.Bus;
import dev.gengate.common.config.ConfigReader;
import dev.gengate.generation.GenerationApi;
import dev.gengate.ledger.LedgerApi;
import dev.gengate.limits.LimitsConfig;
import dev.gengate.provider.ModelCatalog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The HTTP edge: routing, authentication, validation and error mapping. It never touches PostgreSQL or Redis;
 * every request becomes event-bus requests to the modules. Deployed with {@code http.instances} instances that
 * share one port.
 */
public final class HttpVerticle extends VerticleBase {
  private HttpServer server;
  private HttpConfig http;
  private Router router;

  @Override
  public Future<?> start() {
    ConfigReader root = new ConfigReader(config());
    http = HttpConfig.from(root);
    LimitsConfig limits = LimitsConfig.from(root);
    Bus.registerCodecs(vertx, LedgerApi.MESSAGE_TYPES);
    Bus.registerCodecs(vertx, GenerationApi.MESSAGE_TYPES);
    router = Router.router(vertx);
    ErrorResponder errors = new ErrorResponder(http.bodyLimit());
    router.route().handler(ctx -> {
      RequestContext.begin(ctx);
      AccessLog.attach(ctx);
      ctx.next();
    });
    router.route().handler(ctx -> {
      RequestParams.requireDecodableQuery(ctx); // a broken %-escape anywhere is the client's 400, not our 500
      ctx.next();
    });
    router.route().handler(BodyHandler.create(false).setBodyLimit(http.bodyLimit()));
    router.route().failureHandler(errors::handle);
    router.errorHandler(404, errors::handle);
    router.errorHandler(405, errors::handle);

    Auth auth = new Auth(vertx, http.adminToken(), http.busTimeout());
    HealthRoutes.mount(router, vertx);
    OpsRoutes.mount(router, vertx);
    new AdminRoutes(vertx, limits, http.busTimeout()).mount(router, auth);
    new MeRoutes(vertx, limits, http.busTimeout()).mount(router, auth);
    new GenerationRoutes(vertx, ModelCatalog.from(root), new RateLimitGate(vertx, limits), http)
        .mount(router, auth);

    return vertx.createHttpServer(new HttpServerOptions().setHost(http.host()).setPort(http.port()))
        .requestHandler(router)
        .listen()
        .onSuccess(s -> server = s);
  }

  /** The routes this instance serves (for the contract test that holds them against openapi.yaml). */
  public Router router() {
    return router;
  }

  @Override
  public Future<?> stop() {
    // Graceful: stop accepting, let in-flight requests finish within the grace period.
    return server == null ? Future.succeededFuture()
        : server.shutdown(http.shutdownGrace().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }
}
