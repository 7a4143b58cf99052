package dev.gengate.http;

import dev.gengate.common.AppError;
import dev.gengate.common.ErrorCode;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every failure as {@code {code, message, requestId, ...details}} with the status of its code: the one
 * place an error becomes an HTTP answer. Internal failures are logged with the request id; clients never see a
 * stack trace.
 */
final class ErrorResponder {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponder.class);
  /** Details used only to fill in messages; not repeated as body fields. */
  private static final Set<String> MESSAGE_ONLY = Set.of("reason");

  private final int bodyLimit;

  ErrorResponder(int bodyLimit) {
    this.bodyLimit = bodyLimit;
  }

  void handle(RoutingContext ctx) {
    AppError error = toError(ctx);
    if (error.code() == ErrorCode.INTERNAL_ERROR) {
      LOG.error("request {} {} {} failed", RequestContext.requestId(ctx), ctx.request().method(),
          ctx.request().path(), ctx.failure());
    }
    respond(ctx, error);
  }

  static void respond(RoutingContext ctx, AppError error) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      response.reset();
      return;
    }
    JsonObject body = new JsonObject()
        .put("code", error.code().name())
        .put("message", ErrorMessages.message(error.code(), error.details(), Language.of(ctx)))
        .put("requestId", RequestContext.requestId(ctx));
    error.details().forEach(entry -> {
      if (!MESSAGE_ONLY.contains(entry.getKey()) && !body.containsKey(entry.getKey())) {
        body.put(entry.getKey(), entry.getValue());
      }
    });
    Object retryAfter = error.details().getValue("retryAfter");
    if (retryAfter == null && error.code() == ErrorCode.SERVICE_UNAVAILABLE) {
      retryAfter = 1; // a dependency is away or a module did not answer in time: worth retrying soon
    }
    if (retryAfter != null) {
      response.putHeader("Retry-After", retryAfter.toString());
    }
    response.setStatusCode(error.code().httpStatus())
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(body.encode());
  }

  private AppError toError(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure != null && !(failure instanceof HttpException)) {
      return AppError.from(failure);
    }
    int status = failure instanceof HttpException http ? http.getStatusCode()
        : ctx.statusCode();
    return switch (status) {
      case 400 -> AppError.validation("body", "is not valid");
      case 401 -> new AppError(ErrorCode.UNAUTHORIZED);
      case 403 -> new AppError(ErrorCode.FORBIDDEN);
      case 404 -> new AppError(ErrorCode.NOT_FOUND);
      case 405 -> new AppError(ErrorCode.METHOD_NOT_ALLOWED);
      case 413 -> AppError.of(ErrorCode.PAYLOAD_TOO_LARGE, "limit", bodyLimit);
      case 415 -> new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
      case 503 -> new AppError(ErrorCode.SERVICE_UNAVAILABLE);
      default -> new AppError(ErrorCode.INTERNAL_ERROR);
    };
  }
}
