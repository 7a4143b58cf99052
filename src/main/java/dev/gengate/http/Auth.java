package dev.gengate.http;

import dev.gengate.common.AppError;
import dev.gengate.common.Bus;
import dev.gengate.common.ErrorCode;
import dev.gengate.ledger.ApiKeys;
import dev.gengate.ledger.LedgerApi;
import dev.gengate.ledger.LedgerApi.UserView;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;

/**
 * Bearer-token checks. Admin routes compare against {@code admin.token} in constant time; a valid user key on an
 * admin route is 403, anything else 401. User routes resolve the key through the ledger.
 */
final class Auth {
  private static final String BEARER = "bearer ";

  private final Vertx vertx;
  private final byte[] adminToken;
  private final Duration busTimeout;

  Auth(Vertx vertx, String adminToken, Duration busTimeout) {
    this.vertx = vertx;
    this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
    this.busTimeout = busTimeout;
  }

  void user(RoutingContext ctx) {
    String token = bearer(ctx);
    if (token == null) {
      ctx.fail(new AppError(ErrorCode.UNAUTHORIZED));
      return;
    }
    lookUp(token).onComplete(user -> {
      RequestContext.setUser(ctx, user);
      ctx.next();
    }, ctx::fail);
  }

  void admin(RoutingContext ctx) {
    String token = bearer(ctx);
    if (token == null) {
      ctx.fail(new AppError(ErrorCode.UNAUTHORIZED));
    } else if (MessageDigest.isEqual(adminToken, token.getBytes(StandardCharsets.UTF_8))) {
      ctx.next();
    } else {
      // Tell a user's key (403: right caller, wrong door) from no valid credentials at all (401).
      lookUp(token).onComplete(user -> ctx.fail(new AppError(ErrorCode.FORBIDDEN)), ctx::fail);
    }
  }

  private io.vertx.core.Future<UserView> lookUp(String token) {
    return Bus.request(vertx, LedgerApi.AUTHENTICATE, new LedgerApi.Authenticate(ApiKeys.hash(token)), busTimeout);
  }

  private static String bearer(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || header.length() <= BEARER.length()
        || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    String token = header.substring(BEARER.length()).trim();
    return token.isEmpty() || token.length() > 256 ? null : token;
  }
}
