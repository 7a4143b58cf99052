package dev.gengate.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop load: {@code connections} loops, each sending its next request as soon as the previous one is
 * answered, over a pool of that many keep-alive connections, for a warm-up and then a measured period. Only
 * requests sent and answered inside the measured period count. All callbacks run on one event loop, so the
 * statistics need no locking.
 */
final class LoadGenerator {
  /** One kind of request: what to send for the n-th request of a user, and which status means success. */
  record Target(HttpMethod method, String path, int okStatus, boolean withBody) {}

  /** What the measured period saw. */
  record Result(Duration measured, long ok, long[] latenciesNanos, Map<String, Long> errors) {
    long percentileMicros(double p) {
      if (latenciesNanos.length == 0) {
        return 0;
      }
      int rank = (int) Math.ceil(p / 100.0 * latenciesNanos.length);
      return latenciesNanos[Math.max(0, Math.min(latenciesNanos.length - 1, rank - 1))] / 1000;
    }

    double okPerSecond() {
      return ok / (measured.toNanos() / 1e9);
    }
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final Target target;
  private final List<String> apiKeys;
  private final String model;
  private final AtomicLong sequence = new AtomicLong();

  private long measureFrom;
  private long measureUntil;
  private long ok;
  private long[] latencies = new long[1 << 16];
  private int count;
  private final Map<String, Long> errors = new TreeMap<>();

  LoadGenerator(Vertx vertx, int port, int connections, Target target, List<String> apiKeys, String model) {
    this.vertx = vertx;
    this.target = target;
    this.apiKeys = apiKeys;
    this.model = model;
    this.client = vertx.createHttpClient(
        new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port).setKeepAlive(true)
            .setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  /** Runs the warm-up, then the measured period; resolves when every loop has stopped. */
  Future<Result> run(int connections, Duration warmup, Duration duration) {
    Promise<Result> done = Promise.promise();
    vertx.runOnContext(start -> {
      long now = System.nanoTime();
      measureFrom = now + warmup.toNanos();
      measureUntil = measureFrom + duration.toNanos();
      Future<?>[] loops = new Future<?>[connections];
      for (int i = 0; i < connections; i++) {
        Promise<Void> loop = Promise.promise();
        loops[i] = loop.future();
        next(i, loop);
      }
      Future.join(Arrays.asList(loops)).onComplete(all -> {
        long[] measured = Arrays.copyOf(latencies, count);
        Arrays.sort(measured);
        done.complete(new Result(duration, ok, measured, errors));
      });
    });
    return done.future();
  }

  /** The wall-clock instants (System.nanoTime) of the measured period. */
  long measureFrom() {
    return measureFrom;
  }

  long measureUntil() {
    return measureUntil;
  }

  private void next(int loop, Promise<Void> finished) {
    long started = System.nanoTime();
    if (started >= measureUntil) {
      finished.complete();
      return;
    }
    long n = sequence.incrementAndGet();
    String key = apiKeys.get((int) (n % apiKeys.size()));
    RequestOptions request = new RequestOptions().setMethod(target.method()).setURI(target.path())
        .putHeader("Authorization", "Bearer " + key);
    Buffer body = target.withBody()
        ? new JsonObject().put("prompt", "bench " + n + ": a red fox in the snow").put("model", model).toBuffer()
        : null;
    if (body != null) {
      request.putHeader("Content-Type", "application/json");
    }
    client.request(request)
        .compose(req -> body == null ? req.send() : req.send(body))
        .compose(response -> response.body().map(answer -> record(started, response.statusCode(), answer)))
        .onComplete(
            ignored -> next(loop, finished),
            failure -> {
              record(started, "TRANSPORT:" + failure.getClass().getSimpleName());
              // A refused or reset connection should not spin: pause a little before the next request.
              vertx.setTimer(10, t -> next(loop, finished));
            });
  }

  private Void record(long started, int status, Buffer answer) {
    if (status == target.okStatus()) {
      long ended = System.nanoTime();
      if (started >= measureFrom && ended <= measureUntil) {
        ok++;
        addLatency(ended - started);
      }
      return null;
    }
    record(started, status + " " + errorCode(answer));
    return null;
  }

  private void record(long started, String error) {
    long ended = System.nanoTime();
    if (started >= measureFrom && ended <= measureUntil) {
      errors.merge(error, 1L, Long::sum);
    }
  }

  private void addLatency(long nanos) {
    if (count == latencies.length) {
      latencies = Arrays.copyOf(latencies, count * 2);
    }
    latencies[count++] = nanos;
  }

  private static String errorCode(Buffer answer) {
    try {
      String code = new JsonObject(answer).getString("code");
      return code == null ? "?" : code;
    } catch (DecodeException | ClassCastException e) {
      return "?";
    }
  }
}
