package dev.gengate.http;

import dev.gengate.ledger.LedgerApi.UserView;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.regex.Pattern;

/** Per-request values kept on the routing context: the request id and, once authenticated, the user. */
public final class RequestContext {
  public static final String REQUEST_ID_HEADER = "X-Request-Id";
  private static final String REQUEST_ID = "gengate.requestId";
  private static final String USER = "gengate.user";
  private static final String START_NANOS = "gengate.start";
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private RequestContext() {}

  /** Takes the caller's X-Request-Id when it is short and plain, otherwise makes one; echoes it back. */
  static void begin(RoutingContext ctx) {
    String given = ctx.request().getHeader(REQUEST_ID_HEADER);
    String id = given != null && SAFE_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
    ctx.put(REQUEST_ID, id);
    ctx.put(START_NANOS, System.nanoTime());
    ctx.response().putHeader(REQUEST_ID_HEADER, id);
  }

  public static String requestId(RoutingContext ctx) {
    String id = ctx.get(REQUEST_ID);
    return id == null ? "-" : id;
  }

  static long startNanos(RoutingContext ctx) {
    Long start = ctx.get(START_NANOS);
    return start == null ? System.nanoTime() : start;
  }

  static void setUser(RoutingContext ctx, UserView user) {
    ctx.put(USER, user);
  }

  /** The authenticated caller; only on routes behind {@link Auth#user}. */
  public static UserView user(RoutingContext ctx) {
    return ctx.get(USER);
  }
}
