package dev.gengate.provider;

import dev.gengate.common.AppError;
import dev.gengate.common.ErrorCode;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A running provider call: its outcome and the way to abort it. The first of {@link #settle} and
 * {@link #cancel} wins; a result that arrives after a cancel is dropped. Confined to one event loop.
 */
public final class ProviderCall {
  private static final String ABORTED = "aborted";
  private final Promise<ProviderResult> outcome = Promise.promise();
  private final List<Runnable> aborts = new ArrayList<>();

  public Future<ProviderResult> result() {
    return outcome.future();
  }

  public boolean isDone() {
    return outcome.future().isComplete();
  }

  /** Registers what to undo on cancel (cancel a timer, reset an HTTP request); runs now if already over. */
  public void onAbort(Runnable abort) {
    if (isDone()) {
      abort.run();
    } else {
      aborts.add(abort);
    }
  }

  public void settle(AsyncResult<ProviderResult> result) {
    if (result.succeeded()) {
      outcome.tryComplete(result.result());
    } else {
      outcome.tryFail(result.cause());
    }
    aborts.clear();
  }

  /** Aborts the call if it is still running; its future fails with an {@link #isAborted aborted} error. */
  public void cancel() {
    if (outcome.tryFail(aborted())) {
      List<Runnable> pending = new ArrayList<>(aborts);
      aborts.clear();
      pending.forEach(Runnable::run);
    }
  }

  /** The failure of a cancelled call. */
  public static AppError aborted() {
    return new AppError(ErrorCode.INTERNAL_ERROR,
        new JsonObject().put("message", "provider call aborted").put(ABORTED, true));
  }

  /** True for the failure of a cancelled call (also after crossing the event bus). */
  public static boolean isAborted(AppError error) {
    return error.details().getBoolean(ABORTED, false);
  }

  /** The failure a provider reports for its back end's own errors. */
  public static AppError providerError(String message) {
    return AppError.of(ErrorCode.PROVIDER_ERROR, "message", message);
  }
}
