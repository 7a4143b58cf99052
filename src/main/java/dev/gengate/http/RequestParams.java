package dev.gengate.http;

import dev.gengate.common.AppError;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.regex.Pattern;

/** Validated path, query and header parameters shared by the routes. */
public final class RequestParams {
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  public static final int MAX_IDEMPOTENCY_KEY = 64;
  private static final Pattern PRINTABLE_ASCII = Pattern.compile("[\\x21-\\x7e]+");

  private RequestParams() {}

  /** A path id that is not a UUID cannot name anything: 404, like any unknown id. */
  public static UUID pathId(RoutingContext ctx, String name) {
    try {
      return UUID.fromString(ctx.pathParam(name));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new AppError(dev.gengate.common.ErrorCode.NOT_FOUND);
    }
  }

  /** A query string that is not valid URL encoding is the client's mistake (400), not ours. */
  public static void requireDecodableQuery(RoutingContext ctx) {
    try {
      ctx.request().params();
    } catch (IllegalArgumentException e) {
      throw AppError.validation("query", "is not valid URL encoding");
    }
  }

  public static int limit(RoutingContext ctx, int fallback, int max) {
    String raw = ctx.request().getParam("limit");
    if (raw == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw);
      if (value >= 1 && value <= max) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw AppError.validation("limit", "must be a whole number from 1 to " + max);
  }

  /** The optional Idempotency-Key header: 1..64 printable ASCII characters. */
  public static String idempotencyKey(RoutingContext ctx) {
    String key = ctx.request().getHeader(IDEMPOTENCY_KEY);
    if (key == null) {
      return null;
    }
    if (key.length() > MAX_IDEMPOTENCY_KEY) {
      throw AppError.validation(IDEMPOTENCY_KEY, "must be at most " + MAX_IDEMPOTENCY_KEY + " characters");
    }
    if (!PRINTABLE_ASCII.matcher(key).matches()) {
      throw AppError.validation(IDEMPOTENCY_KEY, "must be printable ASCII without spaces");
    }
    return key;
  }
}
