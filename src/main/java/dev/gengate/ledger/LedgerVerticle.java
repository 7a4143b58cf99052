package dev.gengate.ledger;

import dev.gengate.common.Bus;
import dev.gengate.common.Clients;
import dev.gengate.common.config.ConfigReader;
import dev.gengate.common.config.DbConfig;
import dev.gengate.common.metrics.GengateMetrics;
import dev.gengate.limits.LimitsConfig;
import dev.gengate.notify.NotificationHooks;
import dev.gengate.notify.Outbox;
import dev.gengate.notify.TelegramConfig;
import dev.gengate.provider.ModelCatalog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Owns PostgreSQL for users, API keys, balances, ledger entries and generations: the only code that moves credits
 * or active slots. Deployed with the {@code db}, {@code limits} and {@code models} sections of the configuration;
 * any number of instances share one pool.
 */
public final class LedgerVerticle extends VerticleBase {
  private static final long GAUGE_EVERY_MS = 5_000;
  /** Generations pending or processing in the shared database: one value per process. */
  private static final AtomicLong UNFINISHED = new AtomicLong();

  private Pool pool;
  private long gaugeTimer = -1;

  @Override
  public Future<?> start() {
    ConfigReader root = new ConfigReader(config());
    pool = Clients.postgres(vertx, DbConfig.from(root.section("db")));
    Bus.registerCodecs(vertx, LedgerApi.MESSAGE_TYPES);
    UserLedger users = new UserLedger(pool);
    LedgerCheck check = new LedgerCheck(pool);
    GenerationCreation creation = new GenerationCreation(vertx, pool, ModelCatalog.from(root), LimitsConfig.from(root));
    GenerationLedger generations =
        new GenerationLedger(vertx, pool, new NotificationHooks(vertx, Outbox.of(TelegramConfig.from(root))));
    GenerationReads reads = new GenerationReads(pool);
    List<MessageConsumer<?>> consumers = List.of(
        Bus.serve(vertx, LedgerApi.AUTHENTICATE, (LedgerApi.Authenticate m) -> users.authenticate(m.keyHash())),
        Bus.serve(vertx, LedgerApi.CREATE_USER, users::create),
        Bus.serve(vertx, LedgerApi.GET_USER, (LedgerApi.UserId m) -> users.get(m.id())),
        Bus.serve(vertx, LedgerApi.SET_PREMIUM, users::setPremium),
        Bus.serve(vertx, LedgerApi.ADJUST_CREDITS, users::adjust),
        Bus.serve(vertx, LedgerApi.LIST_ENTRIES, users::listEntries),
        Bus.serve(vertx, LedgerApi.PING, (Object ignored) -> users.ping()),
        Bus.serve(vertx, LedgerApi.CHECK, (Object ignored) -> check.run().map(LedgerApi.LedgerReport::new)),
        Bus.serve(vertx, LedgerApi.CREATE_GENERATION, creation::create),
        Bus.serve(vertx, LedgerApi.GET_GENERATION, reads::get),
        Bus.serve(vertx, LedgerApi.LIST_GENERATIONS, reads::list),
        Bus.serve(vertx, LedgerApi.CANCEL_GENERATION, generations::cancel),
        Bus.serve(vertx, LedgerApi.GET_IMAGE, reads::image),
        Bus.serve(vertx, LedgerApi.CLAIM, generations::claim),
        Bus.serve(vertx, LedgerApi.HEARTBEAT, generations::heartbeat),
        Bus.serve(vertx, LedgerApi.COMPLETE, generations::complete),
        Bus.serve(vertx, LedgerApi.FAIL, generations::fail),
        Bus.serve(vertx, LedgerApi.RESCUE, generations::rescue),
        Bus.serve(vertx, LedgerApi.RELEASE, generations::release));
    GengateMetrics.activeGenerations(UNFINISHED::get);
    gaugeTimer = vertx.setPeriodic(1, GAUGE_EVERY_MS, id -> pool.query(GenerationSql.COUNT_UNFINISHED).execute()
        .onSuccess(rows -> UNFINISHED.set(rows.iterator().next().getLong(0))));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(gaugeTimer);
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
