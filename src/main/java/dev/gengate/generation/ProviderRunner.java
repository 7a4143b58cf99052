package dev.gengate.generation;

import dev.gengate.common.AppError;
import dev.gengate.common.ErrorCode;
import dev.gengate.common.metrics.GengateMetrics;
import dev.gengate.generation.GenerationApi.CancelExecution;
import dev.gengate.generation.GenerationApi.Execute;
import dev.gengate.provider.ImageParams;
import dev.gengate.provider.ImageProvider;
import dev.gengate.provider.ImageRequest;
import dev.gengate.provider.ProviderCall;
import dev.gengate.provider.ProviderResult;
import dev.gengate.provider.Providers;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Serves {@link GenerationApi#EXECUTE}: runs provider calls and keeps this instance's map id → call so a
 * {@link GenerationApi#CANCEL} can abort the in-flight request. Confined to its verticle's event loop.
 */
final class ProviderRunner {
  /**
   * How long past the deadline a provider may run if nobody aborts it. The executor's reply timeout (exactly the
   * deadline) decides TIMEOUT and then aborts the call; this only bounds a call whose executor went away.
   */
  static final Duration GRACE = Duration.ofSeconds(1);
  /** Longer than the gap between a claim and its execution request, short enough to keep the map small. */
  private static final Duration REMEMBER_CANCEL = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final Providers providers;
  private final Map<UUID, InFlight> inFlight = new HashMap<>();
  /**
   * Generations cancelled while no call of theirs ran here yet (the cancel overtook the executor's request): an
   * execution that arrives afterwards is refused at once instead of calling the provider for nothing.
   */
  private final Map<UUID, Integer> cancelledEarly = new HashMap<>();

  private record InFlight(int attempt, ProviderCall call) {}

  ProviderRunner(Vertx vertx, Providers providers) {
    this.vertx = vertx;
    this.providers = providers;
  }

  Future<ProviderResult> execute(Execute request) {
    ImageProvider provider = providers.forModel(request.model());
    if (provider == null) {
      return Future.failedFuture(AppError.of(ErrorCode.INTERNAL_ERROR, "message",
          "model " + request.model() + " is no longer configured"));
    }
    if (cancelledEarly.containsKey(request.id()) && matches(cancelledEarly.get(request.id()), request.attempt())) {
      return Future.failedFuture(ProviderCall.aborted());
    }
    Duration limit = Duration.ofMillis(request.timeoutMillis()).plus(GRACE);
    ProviderCall call = provider.generate(
        new ImageRequest(request.id(), request.prompt(), ImageParams.parse(request.params()), limit));
    InFlight entry = new InFlight(request.attempt(), call);
    InFlight previous = inFlight.put(request.id(), entry);
    if (previous != null) {
      previous.call().cancel(); // an older attempt of the same generation has lost its lease
    }
    long timer = vertx.setTimer(limit.toMillis(), t -> call.cancel());
    long started = System.nanoTime();
    return call.result().onComplete(done -> {
      vertx.cancelTimer(timer);
      inFlight.remove(request.id(), entry);
      GengateMetrics.providerLatency(request.model(), outcome(done), Duration.ofNanos(System.nanoTime() - started));
    });
  }

  /** success, aborted (cancel, deadline, lost lease, shutdown) or error. */
  private static String outcome(AsyncResult<ProviderResult> done) {
    if (done.succeeded()) {
      return "success";
    }
    return ProviderCall.isAborted(AppError.from(done.cause())) ? "aborted" : "error";
  }

  void cancel(CancelExecution request) {
    InFlight entry = inFlight.get(request.id());
    if (entry != null && matches(request.attempt(), entry.attempt())) {
      entry.call().cancel();
    } else if (entry == null) {
      cancelledEarly.put(request.id(), request.attempt());
      vertx.setTimer(REMEMBER_CANCEL.toMillis(), t -> cancelledEarly.remove(request.id()));
    }
  }

  /** A cancel for {@code cancelled} (null = every attempt) applies to {@code attempt}. */
  private static boolean matches(Integer cancelled, int attempt) {
    return cancelled == null || cancelled == attempt;
  }

  /** Aborts everything still running (verticle stop). */
  void cancelAll() {
    new ArrayList<>(inFlight.values()).forEach(entry -> entry.call().cancel());
  }
}
