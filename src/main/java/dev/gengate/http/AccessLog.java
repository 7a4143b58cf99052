package dev.gengate.http;

import dev.gengate.ledger.LedgerApi.UserView;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request: method, path, status, latency, request id, user id. Never headers or bodies, so API
 * keys, tokens and prompts stay out of the log.
 */
final class AccessLog {
  private static final Logger LOG = LoggerFactory.getLogger("gengate.access");

  private AccessLog() {}

  static void attach(RoutingContext ctx) {
    ctx.addEndHandler(done -> {
      if (!LOG.isInfoEnabled()) {
        return;
      }
      UserView user = RequestContext.user(ctx);
      long micros = (System.nanoTime() - RequestContext.startNanos(ctx)) / 1000;
      LOG.info("{} {} {} {}ms requestId={} userId={}", ctx.request().method(), ctx.request().path(),
          ctx.response().getStatusCode(), String.format("%.1f", micros / 1000.0), RequestContext.requestId(ctx),
          user == null ? "-" : user.id());
    });
  }
}
