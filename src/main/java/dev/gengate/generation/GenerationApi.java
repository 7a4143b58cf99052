package dev.gengate.generation;

import dev.gengate.provider.ProviderResult;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;

/**
 * The generation module's event-bus contract. {@link GenerationVerticle} consumes both addresses; it also listens
 * to {@link dev.gengate.ledger.LedgerApi#GENERATION_QUEUED} to claim new work at once.
 */
public final class GenerationApi {
  private GenerationApi() {}

  /**
   * {@link Execute} → {@link ProviderResult}: runs the model's provider for one claimed attempt. The sender's
   * reply timeout is the time left until the generation's deadline; a TIMEOUT reply failure means the
   * generation timed out. Fails PROVIDER_ERROR (details {@code message}) for the back end's own errors.
   */
  public static final String EXECUTE = "generation.execute";

  /** Published {@link CancelExecution}: whichever instance runs that execution aborts its provider call. */
  public static final String CANCEL = "generation.cancel";

  public static final List<Class<?>> MESSAGE_TYPES = List.of(Execute.class, CancelExecution.class,
      ProviderResult.class);

  /** One attempt ({@code attempt} = the row's {@code attempts} when claimed); {@code params} is validated. */
  public record Execute(UUID id, int attempt, String model, String prompt, JsonObject params, long timeoutMillis) {}

  /** Abort the execution of {@code id}: of that attempt only, or of any attempt when {@code attempt} is null. */
  public record CancelExecution(UUID id, Integer attempt) {}
}
