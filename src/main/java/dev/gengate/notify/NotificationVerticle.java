package dev.gengate.notify;

import dev.gengate.common.Clients;
import dev.gengate.common.config.ConfigReader;
import dev.gengate.common.config.DbConfig;
import dev.gengate.common.metrics.GengateMetrics;
import dev.gengate.notify.OutboxQueue.Claim;
import dev.gengate.notify.OutboxQueue.Claimed;
import dev.gengate.notify.TelegramClient.Permanent;
import dev.gengate.notify.TelegramClient.RateLimited;
import dev.gengate.notify.TelegramClient.Result;
import dev.gengate.notify.TelegramClient.Sent;
import dev.gengate.notify.TelegramClient.Transient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers Telegram notifications from the durable outbox ({@code notification_outbox}). Deployed with the
 * {@code db} and {@code telegram} sections; any number of instances, in any number of processes sharing the
 * database, cooperate through row leases.
 *
 * <p>The loop: every {@code telegram.pollInterval}, on a {@link NotifyApi#WAKE} message, and when a chat or a
 * retry becomes due, it leases due rows ({@link OutboxQueue#claim}: per-chat spacing, global per-second budget,
 * one message at a time per chat) and sends each on its own: a chat whose requests hang or fail holds up only
 * itself. Every outcome is recorded in the row: sent; retried later (backoff with jitter on network errors,
 * timeouts and 5xx; exactly {@code retry_after} on a 429); failed (Telegram rejected the message, or
 * {@code telegram.maxAttempts} reached).
 *
 * <p>With an empty {@code telegram.botToken} it does nothing but say so, once.
 */
public final class NotificationVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationVerticle.class);
  /** Messages one instance has on the wire at once (also its connection pool size). */
  static final int MAX_IN_FLIGHT = 64;
  private static final long BACKLOG_EVERY_MS = 5_000;
  /** Pending rows of the shared outbox, read every few seconds: one value per process, like the outbox. */
  private static final AtomicLong BACKLOG = new AtomicLong();
  private static final long PURGE_EVERY_MS = 10 * 60_000;
  private static final String ANNOUNCED = "gengate.notify.announced";

  private TelegramConfig config;
  private Pool pool;
  private OutboxQueue queue;
  private TelegramClient telegram;
  private MessageConsumer<Object> wake;
  private long pollTimer = -1;
  private long backlogTimer = -1;
  private long purgeTimer = -1;
  private long pumpTimer = -1;
  private long pumpAtNanos;
  private boolean claiming;
  private boolean again;
  private boolean claimTrouble;
  private boolean stopping;
  private boolean closed;
  private int inFlight;
  private Promise<Void> drained;

  @Override
  public Future<?> start() {
    ConfigReader root = new ConfigReader(config());
    config = TelegramConfig.from(root);
    if (!config.enabled()) {
      if (firstOfDeployment()) {
        LOG.info("Telegram notifications are off: telegram.botToken is empty");
      }
      GengateMetrics.outboxBacklog(() -> 0); // nothing is queued while notifications are off
      return Future.succeededFuture();
    }
    pool = Clients.postgres(vertx, DbConfig.from(root.section("db")));
    queue = new OutboxQueue(pool, ownerName(), config);
    telegram = new TelegramClient(vertx, config, MAX_IN_FLIGHT);
    wake = vertx.eventBus().consumer(NotifyApi.WAKE, message -> pump());
    pollTimer = vertx.setPeriodic(config.pollInterval().toMillis(), id -> pump());
    GengateMetrics.outboxBacklog(BACKLOG::get);
    backlogTimer = vertx.setPeriodic(1, BACKLOG_EVERY_MS, id -> queue.backlog().onSuccess(BACKLOG::set));
    purgeTimer = vertx.setPeriodic(PURGE_EVERY_MS, id -> purge());
    if (firstOfDeployment()) {
      LOG.info("Telegram notifications are on: {} (a chat at most every {} ms, at most {} messages per second,"
              + " {} attempts)", ConfigReader.redact(config.apiBaseUrl()), config.perChatInterval().toMillis(),
          config.globalPerSecond(), config.maxAttempts());
    }
    return wake.completion().onSuccess(v -> pump());
  }

  @Override
  public Future<?> stop() {
    vertx.sharedData().getLocalMap(ANNOUNCED).remove(deploymentID());
    if (queue == null) {
      return Future.succeededFuture();
    }
    stopping = true;
    for (long timer : new long[] {pollTimer, backlogTimer, purgeTimer, pumpTimer}) {
      vertx.cancelTimer(timer);
    }
    drained = Promise.promise();
    if (inFlight == 0) {
      drained.complete();
    }
    long drainMillis = Math.min(config.requestTimeout().toMillis() + 1_000, 10_000);
    return wake.unregister()
        // Messages on the wire get their answer and their outcome recorded, so nobody sends them again.
        .compose(v -> drained.future().timeout(drainMillis, TimeUnit.MILLISECONDS).otherwiseEmpty())
        .compose(v -> {
          closed = true;
          telegram.close();
          return queue.release();
        })
        .onSuccess(released -> {
          if (released > 0) {
            LOG.info("stopping: {} Telegram message(s) still on the wire handed back to the outbox", released);
          }
        })
        .otherwise(failure -> {
          LOG.warn("stopping: could not hand back leased Telegram messages ({}); they go out when their lease"
              + " ends", failure.toString());
          return 0;
        })
        .eventually(() -> pool.close());
  }

  /** Leases what is due and sends it. Never runs two claims at once; a request during a claim runs after it. */
  private void pump() {
    if (stopping) {
      return;
    }
    if (claiming) {
      again = true;
      return;
    }
    int room = MAX_IN_FLIGHT - inFlight;
    if (room <= 0) {
      return; // each finished message pumps again
    }
    claiming = true;
    again = false;
    queue.claim(room).onComplete(ar -> {
      claiming = false;
      if (ar.failed()) {
        claimFailed(ar.cause());
        return;
      }
      if (claimTrouble) {
        claimTrouble = false;
        LOG.info("the notification outbox answers again");
      }
      Claim claim = ar.result();
      claim.rows().forEach(this::deliver);
      if (claim.budgetSpent()) {
        schedulePump(Math.max(10, 1000L / config.globalPerSecond()));
      } else if (again) {
        pump();
      }
    });
  }

  private void deliver(Claimed row) {
    inFlight++;
    Future<Result> attempt;
    try {
      attempt = telegram.sendMessage(row.chatId(), Messages.render(row.language(), row.event(), row.payload()));
    } catch (RuntimeException e) {
      attempt = Future.succeededFuture(new Permanent(0, "cannot write the message: " + e));
    }
    attempt
        .compose(result -> closed ? Future.succeededFuture(0L) : record(row, result))
        .onComplete(ar -> {
          inFlight--;
          if (ar.failed()) {
            LOG.warn("could not record the outcome of Telegram message {}: {}; it is retried when its lease ends",
                row.id(), ar.cause().toString());
          }
          if (stopping) {
            if (inFlight == 0) {
              drained.tryComplete();
            }
            return;
          }
          if (inFlight == MAX_IN_FLIGHT - 1) {
            pump();
          }
          // The chat's next message, or this one again, becomes due after this delay.
          schedulePump(ar.succeeded() ? ar.result() : config.pollInterval().toMillis());
        });
  }

  /** Writes the outcome of one attempt; yields the delay after which the chat has something due again. */
  private Future<Long> record(Claimed row, Result result) {
    long spacing = config.perChatInterval().toMillis() + 1;
    if (result instanceof Sent) {
      GengateMetrics.notificationSent(row.event().dbName());
      LOG.debug("Telegram message {} ({} of generation {}) sent to chat {} on attempt {}",
          row.id(), row.event().dbName(), row.generationId(), row.chatId(), row.attempts());
      return persist(() -> queue.markSent(row.id())).map(spacing);
    }
    if (result instanceof Permanent rejected) {
      GengateMetrics.notificationFailed("rejected");
      if (rejected.errorCode() == 403) {
        LOG.info("Telegram message {} to chat {} dropped: the chat does not accept the bot's messages ({})",
            row.id(), row.chatId(), rejected.error());
      } else {
        LOG.warn("Telegram message {} to chat {} dropped: Telegram rejected it ({})",
            row.id(), row.chatId(), rejected.error());
      }
      return persist(() -> queue.markFailed(row.id(), rejected.error())).map(spacing);
    }
    String error = result instanceof RateLimited limited ? limited.error() : ((Transient) result).error();
    if (row.attempts() >= config.maxAttempts()) {
      GengateMetrics.notificationFailed("exhausted");
      LOG.error("Telegram message {} ({} of generation {}) to chat {} given up after {} attempts: {}",
          row.id(), row.event().dbName(), row.generationId(), row.chatId(), row.attempts(), error);
      String gaveUp = "gave up after " + row.attempts() + " attempts: " + error;
      return persist(() -> queue.markFailed(row.id(), gaveUp)).map(spacing);
    }
    if (result instanceof RateLimited limited) {
      long delay = TimeUnit.SECONDS.toMillis(limited.retryAfterSeconds());
      GengateMetrics.notificationRetried("rate_limited");
      LOG.info("Telegram asks to wait {} s before writing to chat {} again; message {} waits until then",
          limited.retryAfterSeconds(), row.chatId(), row.id());
      return persist(() -> queue.retryLater(row.id(), delay, error)).map(delay + 1);
    }
    Transient failure = (Transient) result;
    long delay = backoffMillis(row.attempts());
    GengateMetrics.notificationRetried(failure.cause());
    if (failure.misconfigured()) {
      LOG.error("Telegram rejected the bot (check telegram.botToken and telegram.apiBaseUrl): {}; message {}"
          + " retried in {} ms", error, row.id(), delay);
    } else {
      LOG.warn("Telegram message {} to chat {} failed on attempt {} of {}: {}; retrying in {} ms",
          row.id(), row.chatId(), row.attempts(), config.maxAttempts(), error, delay);
    }
    return persist(() -> queue.retryLater(row.id(), delay, error)).map(Math.max(delay, spacing) + 1);
  }

  /**
   * Writes an outcome, trying a few times over a second: a database hiccup right after a message went out
   * should not leave the row leased, to be sent a second time when the lease ends.
   */
  private Future<Void> persist(Supplier<Future<Void>> write) {
    return persist(write, 4);
  }

  private Future<Void> persist(Supplier<Future<Void>> write, int triesLeft) {
    return write.get().recover(failure -> triesLeft <= 1 || closed
        ? Future.failedFuture(failure)
        : vertx.timer(250).compose(t -> persist(write, triesLeft - 1)));
  }

  /** Exponential backoff from the attempt just made (1 = first), capped, with "equal jitter" (half to all). */
  long backoffMillis(int attempt) {
    long base = config.backoffBase().toMillis();
    long cap = config.backoffMax().toMillis();
    long exponential = attempt >= 31 ? cap : Math.min(cap, base << Math.max(0, attempt - 1));
    if (exponential < base) {
      exponential = cap; // the shift overflowed
    }
    long half = exponential / 2;
    return half + ThreadLocalRandom.current().nextLong(exponential - half + 1);
  }

  /** Runs {@link #pump} after the delay, unless a pump is already due sooner. */
  private void schedulePump(long delayMillis) {
    if (stopping) {
      return;
    }
    long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
    if (pumpTimer != -1) {
      if (pumpAtNanos - at <= 0) {
        return;
      }
      vertx.cancelTimer(pumpTimer);
    }
    pumpAtNanos = at;
    pumpTimer = vertx.setTimer(Math.max(1, delayMillis), id -> {
      pumpTimer = -1;
      pump();
    });
  }

  /** Said once per outage, not at every poll. */
  private void claimFailed(Throwable failure) {
    if (!claimTrouble) {
      claimTrouble = true;
      LOG.warn("cannot read the notification outbox: {}; trying again every {} ms", failure.toString(),
          config.pollInterval().toMillis());
    } else {
      LOG.debug("cannot read the notification outbox: {}", failure.toString());
    }
  }

  private void purge() {
    queue.purge(config.retention().toMillis()).onComplete(
        deleted -> {
          if (deleted > 0) {
            LOG.debug("deleted {} finished Telegram message(s) older than {}", deleted, config.retention());
          }
        },
        failure -> LOG.debug("could not purge old Telegram messages: {}", failure.toString()));
  }

  /** True for exactly one instance of this deployment, so start-up lines are said once. */
  private boolean firstOfDeployment() {
    return vertx.sharedData().getLocalMap(ANNOUNCED).putIfAbsent(deploymentID(), Boolean.TRUE) == null;
  }

  /** Names this instance in {@code locked_by}: host, process and a random suffix (several per process). */
  private static String ownerName() {
    String host = System.getenv().getOrDefault("HOSTNAME", "host");
    byte[] suffix = new byte[4];
    ThreadLocalRandom.current().nextBytes(suffix);
    return host + ":" + ProcessHandle.current().pid() + ":" + HexFormat.of().formatHex(suffix);
  }
}
