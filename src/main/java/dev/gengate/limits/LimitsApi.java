package dev.gengate.limits;

import java.util.List;
import java.util.UUID;

/** The limits module's event-bus contract. {@link RateLimitVerticle} is the only consumer. */
public final class LimitsApi {
  private LimitsApi() {}

  /** Any body → "ok" once Redis answers PING. */
  public static final String PING = "limits.ping";

  /**
   * {@link Check} → {@link Decision}: one request against the user's sliding window. An allowed request is
   * recorded in the window; a rejected one is not. Fails SERVICE_UNAVAILABLE when Redis does not answer (the
   * caller applies {@code limits.redisFailureMode}).
   */
  public static final String CHECK = "limits.check";

  public static final List<Class<?>> MESSAGE_TYPES = List.of(Check.class, Decision.class);

  /** {@code limit} is the user's tier quota per window, chosen by the caller at request time. */
  public record Check(UUID userId, int limit) {}

  /**
   * {@code remaining} after this request; {@code resetSeconds} until the window has room for the full quota
   * again; {@code retryAfterSeconds} until the next request can be allowed (0 when allowed).
   */
  public record Decision(boolean allowed, int limit, int remaining, long resetSeconds, long retryAfterSeconds,
      long windowSeconds) {}
}
