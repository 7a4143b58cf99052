package dev.gengate.generation;

import dev.gengate.common.Bus;
import dev.gengate.common.config.ConfigReader;
import dev.gengate.generation.GenerationApi.CancelExecution;
import dev.gengate.ledger.LedgerApi;
import dev.gengate.provider.ModelCatalog;
import dev.gengate.provider.Providers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.net.InetAddress;
import java.util.List;
import java.util.UUID;

/**
 * Executes generations: claims pending work (woken by {@link LedgerApi#GENERATION_QUEUED}, and polling),
 * runs providers with deadlines, honours cancellation, and rescues work whose process died. It never touches
 * PostgreSQL: every state change is a request to the ledger. Deployed with the {@code generation} and
 * {@code models} sections; any number of instances, in any number of processes.
 */
public final class GenerationVerticle extends VerticleBase {
  /** This process's lease owner: host, pid and a random part, so a restarted process is a new owner. */
  public static final String PROCESS_ID = processId();

  private Providers providers;
  private ProviderRunner runner;
  private Executor executor;

  @Override
  public Future<?> start() {
    ConfigReader root = new ConfigReader(config());
    GenerationConfig config = GenerationConfig.from(root);
    Bus.registerCodecs(vertx, LedgerApi.MESSAGE_TYPES);
    Bus.registerCodecs(vertx, GenerationApi.MESSAGE_TYPES);
    providers = new Providers(vertx, ModelCatalog.from(root));
    runner = new ProviderRunner(vertx, providers);
    // One lease owner per deployment: a graceful stop hands back exactly this deployment's work.
    executor = new Executor(vertx, config, PROCESS_ID + "/" + deploymentID());
    List<MessageConsumer<?>> consumers = List.of(
        Bus.serve(vertx, GenerationApi.EXECUTE, runner::execute),
        vertx.eventBus().<CancelExecution>consumer(GenerationApi.CANCEL, m -> runner.cancel(m.body())),
        vertx.eventBus().consumer(LedgerApi.GENERATION_QUEUED, m -> executor.poll()));
    // Rescue once before taking new work, so what a previous process left behind is settled first.
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .compose(v -> executor.rescue())
        .onSuccess(v -> executor.start());
  }

  /** Graceful: no new claims, running provider calls aborted, their generations handed back to the queue. */
  @Override
  public Future<?> stop() {
    if (executor == null) {
      return Future.succeededFuture();
    }
    Future<Void> handedBack = executor.stop();
    runner.cancelAll();
    return handedBack.onComplete(done -> providers.close());
  }

  private static String processId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "unknown-host";
    }
    return host + ":" + ProcessHandle.current().pid() + ":" + UUID.randomUUID().toString().substring(0, 8);
  }
}
