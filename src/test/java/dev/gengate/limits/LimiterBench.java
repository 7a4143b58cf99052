package dev.gengate.limits;

import dev.gengate.EmbeddedServices;
import dev.gengate.common.Bus;
import dev.gengate.common.config.ConfigReader;
import dev.gengate.limits.LimitsApi.Check;
import dev.gengate.limits.LimitsApi.Decision;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import redis.embedded.RedisServer;

/**
 * Rate-limit decisions per second through the event bus ({@code limits.check} answered by
 * {@link RateLimitVerticle} against Redis), then the raw EVALSHA rate of the same script with
 * {@code redis-benchmark} when it is on the PATH. Run by {@code scripts/bench-limits}, never by the test suite.
 *
 * <p>System properties: {@code bench.seconds} (10), {@code bench.inFlight} (256), {@code bench.users} (1000),
 * {@code bench.limit} (10), {@code bench.window} (1s), {@code bench.instances} (1), {@code bench.poolSize} (8, as {@code redis.poolSize}). Uses {@code GENGATE_REDIS_URL}
 * when set, an embedded Redis otherwise.
 */
public final class LimiterBench {
  private static final Duration WARM_UP = Duration.ofSeconds(2);

  private LimiterBench() {}

  public static void main(String[] args) throws Exception {
    int seconds = Integer.getInteger("bench.seconds", 10);
    int inFlight = Integer.getInteger("bench.inFlight", 256);
    int userCount = Integer.getInteger("bench.users", 1000);
    int limit = Integer.getInteger("bench.limit", 10);
    String window = System.getProperty("bench.window", "1s");
    int instances = Integer.getInteger("bench.instances", 1);
    int poolSize = Integer.getInteger("bench.poolSize", 8);

    String url = System.getenv("GENGATE_REDIS_URL");
    RedisServer embedded = null;
    if (url == null || url.isBlank()) {
      int port = EmbeddedServices.freePort();
      embedded = EmbeddedServices.startRedis(port);
      url = "redis://127.0.0.1:" + port;
    }
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = new JsonObject()
          .put("redis", new JsonObject().put("url", url).put("poolSize", poolSize))
          .put("limits", new JsonObject().put("window", window));
      vertx.deployVerticle(RateLimitVerticle::new, new DeploymentOptions().setConfig(config).setInstances(instances))
          .await(30, TimeUnit.SECONDS);
      System.out.printf("limiter bench: %s, %d users, limit %d per %s window, %d in flight, %d verticle instance(s),"
              + " Redis pool %d%n", embedded == null ? "Redis " + url : "embedded Redis", userCount, limit, window,
          inFlight, instances, poolSize);

      UUID[] users = new UUID[userCount];
      Arrays.setAll(users, i -> UUID.randomUUID());
      run(vertx, users, limit, inFlight, WARM_UP);
      Result bus = run(vertx, users, limit, inFlight, Duration.ofSeconds(seconds));
      System.out.printf("bus:   %,.0f decisions/s over %d s (%.1f%% allowed, %d failed), latency p50 %.2f ms,"
              + " p99 %.2f ms%n", bus.perSecond(), seconds, bus.allowedPercent(), bus.failed, bus.p50Millis,
          bus.p99Millis);

      String sha = SlidingWindow.load().sha();
      Duration windowLength = LimitsConfig.from(new ConfigReader(config)).window();
      Double raw = redisBenchmark(URI.create(url), sha, userCount, limit, windowLength, seconds);
      if (raw != null) {
        System.out.printf("redis: %,.0f EVALSHA/s (redis-benchmark, 50 connections, same script)%n", raw);
        System.out.printf("ratio: bus decisions / raw EVALSHA = %.2f%n", bus.perSecond() / raw);
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      if (embedded != null) {
        embedded.stop();
      }
    }
  }

  private record Result(long decisions, long allowed, long failed, double seconds, double p50Millis,
      double p99Millis) {
    double perSecond() {
      return decisions / seconds;
    }

    double allowedPercent() {
      return decisions == 0 ? 0 : 100.0 * allowed / decisions;
    }
  }

  /**
   * Keeps {@code inFlight} checks outstanding for {@code duration}, round-robin over the users, from one event
   * loop; every 16th latency is sampled for the percentiles.
   */
  private static Result run(Vertx vertx, UUID[] users, int limit, int inFlight, Duration duration)
      throws InterruptedException {
    AtomicLong decisions = new AtomicLong();
    AtomicLong allowed = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong next = new AtomicLong();
    List<Long> samples = new ArrayList<>();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    CountDownLatch done = new CountDownLatch(inFlight);
    Duration timeout = Duration.ofSeconds(5);
    vertx.runOnContext(v -> {
      for (int i = 0; i < inFlight; i++) {
        new Object() {
          void send() {
            if (System.nanoTime() >= end) {
              done.countDown();
              return;
            }
            long n = next.getAndIncrement();
            long sent = System.nanoTime();
            Check check = new Check(users[(int) (n % users.length)], limit);
            Bus.<Decision>request(vertx, LimitsApi.CHECK, check, timeout).onComplete((decision, failure) -> {
              if (failure != null) {
                failed.incrementAndGet();
              } else {
                decisions.incrementAndGet();
                if (decision.allowed()) {
                  allowed.incrementAndGet();
                }
                if ((n & 15) == 0) {
                  samples.add(System.nanoTime() - sent);
                }
              }
              send();
            });
          }
        }.send();
      }
    });
    done.await(duration.toSeconds() + 30, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
    return new Result(decisions.get(), allowed.get(), failed.get(), elapsed,
        percentile(sorted, 0.50), percentile(sorted, 0.99));
  }

  private static double percentile(long[] sorted, double p) {
    return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, sorted.length * p)] / 1e6;
  }

  /** The raw EVALSHA rate, or null (with a message) when redis-benchmark is not installed. */
  private static Double redisBenchmark(URI redis, String sha, int users, int limit, Duration window, int seconds)
      throws IOException, InterruptedException {
    if (!onPath("redis-benchmark")) {
      System.out.println("redis: skipped, redis-benchmark is not on the PATH (Debian: apt-get install redis-tools)");
      return null;
    }
    long windowMicros = SlidingWindow.micros(window);
    // Calibrate on a short run, then size -n for about the same duration as the bus run.
    double calibration = evalsha(redis, sha, users, limit, windowMicros, 20_000);
    long requests = Math.max(20_000, (long) (calibration * seconds));
    return evalsha(redis, sha, users, limit, windowMicros, requests);
  }

  private static double evalsha(URI redis, String sha, int users, int limit, long windowMicros, long requests)
      throws IOException, InterruptedException {
    List<String> command = List.of("redis-benchmark", "-h", redis.getHost(), "-p", String.valueOf(redis.getPort()),
        "-c", "50", "-n", String.valueOf(requests), "-r", String.valueOf(users), "--csv",
        "EVALSHA", sha, "1", "gengate:rl:bench:__rand_int__", String.valueOf(limit), String.valueOf(windowMicros),
        "m:__rand_int__");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String rps = null;
    List<String> output = new ArrayList<>();
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        output.add(line);
        String[] fields = line.split("\",\"");
        if (fields.length > 1 && fields[0].startsWith("\"EVALSHA")) {
          rps = fields[1].replace("\"", "");
        }
      }
    }
    if (process.waitFor() != 0 || rps == null) {
      throw new IllegalStateException("redis-benchmark failed: " + String.join("\n", output));
    }
    return Double.parseDouble(rps);
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (new File(dir, program).canExecute()) {
        return true;
      }
    }
    return false;
  }
}
