package dev.gengate.limits;

import java.util.List;

/** The limits module's event-bus contract. {@link RateLimitVerticle} is the only consumer. */
public final class LimitsApi {
  private LimitsApi() {}

  /** Any body → "ok" once Redis answers PING. */
  public static final String PING = "limits.ping";

  public static final List<Class<?>> MESSAGE_TYPES = List.of();
}
