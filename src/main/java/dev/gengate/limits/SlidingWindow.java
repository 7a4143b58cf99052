package dev.gengate.limits;

import dev.gengate.limits.LimitsApi.Decision;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The sliding-window script ({@code limits/sliding_window.lua}) with everything that meets Redis in one place:
 * the key of a user's window, the {@code SCRIPT LOAD} and {@code EVALSHA} requests, and how a reply becomes a
 * {@link Decision}.
 */
public final class SlidingWindow {
  public static final String RESOURCE = "/limits/sliding_window.lua";
  private static final String KEY_PREFIX = "gengate:rl:";

  private final String source;
  private final String sha;

  private SlidingWindow(String source) {
    this.source = source;
    this.sha = sha1(source);
  }

  /** Reads the script from the classpath. Blocking: call from a worker or from {@code main}. */
  public static SlidingWindow load() {
    try (InputStream in = SlidingWindow.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      return new SlidingWindow(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The Redis key of a user's window. */
  public static String key(UUID userId) {
    return KEY_PREFIX + userId;
  }

  /** The SHA-1 Redis knows the script by, computed here so EVALSHA works without asking Redis first. */
  public String sha() {
    return sha;
  }

  public Request scriptLoad() {
    return Request.cmd(Command.SCRIPT).arg("LOAD").arg(source);
  }

  /** One check; {@code member} must be unique per request. */
  public Request evalsha(UUID userId, int limit, Duration window, String member) {
    return Request.cmd(Command.EVALSHA).arg(sha).arg(1).arg(key(userId))
        .arg(limit).arg(micros(window)).arg(member);
  }

  public static Decision decision(Response reply, int limit, Duration window) {
    boolean allowed = reply.get(0).toLong() == 1;
    long count = reply.get(1).toLong();
    long retryMicros = reply.get(2).toLong();
    long resetMicros = reply.get(3).toLong();
    return new Decision(
        allowed,
        limit,
        (int) Math.max(0, limit - count),
        ceilSeconds(resetMicros),
        allowed ? 0 : Math.max(1, ceilSeconds(retryMicros)),
        Math.max(1, ceilSeconds(micros(window))));
  }

  static long micros(Duration duration) {
    return duration.toNanos() / 1_000;
  }

  private static long ceilSeconds(long micros) {
    return micros <= 0 ? 0 : (micros + 999_999) / 1_000_000;
  }

  private static String sha1(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
