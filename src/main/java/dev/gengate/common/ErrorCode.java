package dev.gengate.common;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every error the service can answer with. The one place where an error code meets its HTTP status and
 * its event-bus failure code: modules fail bus requests with {@link #busCode()}, the HTTP layer turns them
 * back with {@link #fromBusCode(int)}.
 */
public enum ErrorCode {
  VALIDATION_ERROR(400, 1),
  UNKNOWN_MODEL(400, 2),
  UNAUTHORIZED(401, 3),
  INSUFFICIENT_CREDITS(402, 4),
  FORBIDDEN(403, 5),
  NOT_FOUND(404, 6),
  METHOD_NOT_ALLOWED(405, 7),
  DUPLICATE_REQUEST(409, 8),
  GENERATION_NOT_CANCELLABLE(409, 9),
  PAYLOAD_TOO_LARGE(413, 10),
  UNSUPPORTED_MEDIA_TYPE(415, 11),
  IDEMPOTENCY_KEY_MISMATCH(422, 12),
  RATE_LIMITED(429, 13),
  TOO_MANY_ACTIVE_GENERATIONS(429, 14),
  SERVICE_UNAVAILABLE(503, 15),
  INTERNAL_ERROR(500, 16),
  /** A generation's own failure reasons: they appear in generation JSON, never as an HTTP status. */
  PROVIDER_ERROR(502, 17),
  TIMEOUT(504, 18);

  private static final Map<Integer, ErrorCode> BY_BUS_CODE =
      Arrays.stream(values()).collect(Collectors.toMap(ErrorCode::busCode, Function.identity()));

  private final int httpStatus;
  private final int busCode;

  ErrorCode(int httpStatus, int busCode) {
    this.httpStatus = httpStatus;
    this.busCode = busCode;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** Failure code carried by a {@code ReplyException}; offset so it never collides with Vert.x's own codes. */
  public int busCode() {
    return 4000 + busCode;
  }

  public static ErrorCode fromBusCode(int code) {
    return BY_BUS_CODE.getOrDefault(code, INTERNAL_ERROR);
  }
}
