package dev.gengate.common;

import dev.gengate.common.metrics.GengateMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event-bus conventions of gengate in one place: message records travel through a local codec,
 * every request has an explicit timeout, and failures travel as {@link AppError}s.
 */
public final class Bus {
  private static final Logger LOG = LoggerFactory.getLogger(Bus.class);

  private Bus() {}

  /** Registers the local codec for each message type once per Vert.x instance (later calls are no-ops). */
  public static synchronized void registerCodecs(Vertx vertx, List<Class<?>> messageTypes) {
    EventBus bus = vertx.eventBus();
    for (Class<?> type : messageTypes) {
      register(bus, type);
    }
  }

  private static <T> void register(EventBus bus, Class<T> type) {
    try {
      bus.registerDefaultCodec(type, new LocalCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // Tests deploy the service several times on one Vert.x instance.
    }
  }

  /**
   * Sends a request and yields the reply body; fails with the bus's ReplyException (see {@link AppError#from}).
   * Timeouts are counted in {@code gengate.bus.reply.timeouts} by address.
   */
  public static <T> Future<T> request(Vertx vertx, String address, Object body, Duration timeout) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(Math.max(1, timeout.toMillis()));
    return vertx.eventBus().<T>request(address, body, options)
        .onFailure(failure -> {
          if (AppError.isTimeout(failure)) {
            GengateMetrics.busReplyTimeout(address);
          }
        })
        .map(Message::body);
  }

  /**
   * Consumes requests on an address with a handler returning a future; its result is the reply, its failure
   * becomes a ReplyException carrying the error code. Unexpected failures are logged here, once.
   */
  public static <I, O> MessageConsumer<I> serve(Vertx vertx, String address, Function<I, Future<O>> handler) {
    return vertx.eventBus().<I>consumer(address, message -> {
      Future<O> result;
      try {
        result = handler.apply(message.body());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(
          message::reply,
          failure -> {
            AppError error = AppError.from(failure);
            if (error.code() == ErrorCode.INTERNAL_ERROR && !(failure instanceof AppError)) {
              LOG.error("request on {} failed", address, failure);
            } else if (error.code() == ErrorCode.SERVICE_UNAVAILABLE && !(failure instanceof AppError)) {
              LOG.warn("request on {} failed: a dependency is unreachable ({})", address, failure.toString());
            }
            message.fail(error.code().busCode(), error.details().encode());
          });
    });
  }
}
