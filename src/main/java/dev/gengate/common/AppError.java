package dev.gengate.common;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A failure the service answers for: an {@link ErrorCode} plus details that belong in the error body
 * (for example {@code required} and {@code available} for {@code INSUFFICIENT_CREDITS}) and fill in the
 * localized message.
 *
 * <p>Across the event bus it travels as a {@link ReplyException} whose failure code is
 * {@link ErrorCode#busCode()} and whose message is the details as JSON; {@link #from(Throwable)} restores it.
 */
public final class AppError extends RuntimeException {
  private final ErrorCode code;
  private final JsonObject details;

  public AppError(ErrorCode code) {
    this(code, new JsonObject());
  }

  public AppError(ErrorCode code, JsonObject details) {
    super(code.name(), null, false, false);
    this.code = code;
    this.details = details;
  }

  public static AppError of(ErrorCode code, String key, Object value) {
    return new AppError(code, new JsonObject().put(key, value));
  }

  /** A validation failure naming the offending field and the reason, in English, for the message. */
  public static AppError validation(String field, String reason) {
    return new AppError(ErrorCode.VALIDATION_ERROR, new JsonObject().put("field", field).put("reason", reason));
  }

  public ErrorCode code() {
    return code;
  }

  public JsonObject details() {
    return details;
  }

  /**
   * Turns any failure into an AppError: an AppError stays itself, a bus failure of a known code is decoded,
   * a bus timeout or a missing consumer means a module is not answering (503), anything else is internal.
   */
  public static AppError from(Throwable failure) {
    if (failure instanceof AppError appError) {
      return appError;
    }
    if (failure instanceof ReplyException reply) {
      return switch (reply.failureType()) {
        case TIMEOUT, NO_HANDLERS -> new AppError(ErrorCode.SERVICE_UNAVAILABLE);
        default -> new AppError(ErrorCode.fromBusCode(reply.failureCode()), parseDetails(reply.getMessage()));
      };
    }
    if (isUnreachable(failure)) {
      return AppError.of(ErrorCode.SERVICE_UNAVAILABLE, "retryAfter", 1);
    }
    return new AppError(ErrorCode.INTERNAL_ERROR);
  }

  /**
   * True when a dependency (PostgreSQL, Redis, an upstream) could not be reached or dropped the connection: the
   * request was fine and may succeed shortly, so it is a 503, not an internal error.
   */
  public static boolean isUnreachable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.net.ConnectException
          || t instanceof java.nio.channels.ClosedChannelException
          || t instanceof io.netty.channel.ConnectTimeoutException
          || t instanceof io.vertx.sqlclient.ClosedConnectionException
          || t instanceof java.util.concurrent.TimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** True when a bus request failed because nobody answered in time (as opposed to an explicit failure). */
  public static boolean isTimeout(Throwable failure) {
    return failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT;
  }

  private static JsonObject parseDetails(String message) {
    if (message == null || !message.startsWith("{")) {
      return new JsonObject();
    }
    try {
      return new JsonObject(message);
    } catch (DecodeException e) {
      return new JsonObject();
    }
  }
}
