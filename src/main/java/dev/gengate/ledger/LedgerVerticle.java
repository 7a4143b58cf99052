package dev.gengate.ledger;

import dev.gengate.common.Bus;
import dev.gengate.common.Clients;
import dev.gengate.common.config.ConfigReader;
import dev.gengate.common.config.DbConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;
import java.util.List;

/**
 * Owns PostgreSQL for users, API keys, balances and ledger entries: the only code that moves credits. Deployed
 * with the {@code db} section of the configuration; any number of instances share one pool.
 */
public final class LedgerVerticle extends VerticleBase {
  private Pool pool;

  @Override
  public Future<?> start() {
    ConfigReader root = new ConfigReader(config());
    pool = Clients.postgres(vertx, DbConfig.from(root.section("db")));
    Bus.registerCodecs(vertx, LedgerApi.MESSAGE_TYPES);
    UserLedger users = new UserLedger(pool);
    LedgerCheck check = new LedgerCheck(pool);
    List<MessageConsumer<?>> consumers = List.of(
        Bus.serve(vertx, LedgerApi.AUTHENTICATE, (LedgerApi.Authenticate m) -> users.authenticate(m.keyHash())),
        Bus.serve(vertx, LedgerApi.CREATE_USER, users::create),
        Bus.serve(vertx, LedgerApi.GET_USER, (LedgerApi.UserId m) -> users.get(m.id())),
        Bus.serve(vertx, LedgerApi.SET_PREMIUM, users::setPremium),
        Bus.serve(vertx, LedgerApi.ADJUST_CREDITS, users::adjust),
        Bus.serve(vertx, LedgerApi.LIST_ENTRIES, users::listEntries),
        Bus.serve(vertx, LedgerApi.CHECK, (Object ignored) -> check.run().map(LedgerApi.LedgerReport::new)),
        Bus.serve(vertx, LedgerApi.PING, (Object ignored) -> users.ping()));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
