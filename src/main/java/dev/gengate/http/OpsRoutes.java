package dev.gengate.http;

import dev.gengate.common.metrics.GengateMetrics;
import dev.gengate.common.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /metrics}: the Prometheus registry of the process (Vert.x HTTP, event-bus, pool and JVM meters plus
 * gengate's business meters). {@code GET /openapi.yaml}: the API contract, a resource of the jar.
 */
final class OpsRoutes {
  static final String OPENAPI_RESOURCE = "/openapi.yaml";

  private final Future<Buffer> openapi;

  private OpsRoutes(Future<Buffer> openapi) {
    this.openapi = openapi;
  }

  static void mount(Router router, Vertx vertx) {
    // Read once per verticle instance, off the event loop.
    OpsRoutes routes = new OpsRoutes(vertx.executeBlocking(OpsRoutes::readOpenApi, false));
    GengateMetrics.init();
    router.get("/metrics").handler(PrometheusScrapingHandler.create(Metrics.registry()));
    router.get("/openapi.yaml").handler(routes::openapi);
  }

  private void openapi(RoutingContext ctx) {
    openapi.onComplete(
        yaml -> ctx.response().putHeader("Content-Type", "application/yaml; charset=utf-8").end(yaml),
        ctx::fail);
  }

  private static Buffer readOpenApi() {
    try (InputStream in = OpsRoutes.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(OPENAPI_RESOURCE + " missing from the classpath");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
