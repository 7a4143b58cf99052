package dev.gengate.http;

import dev.gengate.common.AppError;
import dev.gengate.common.Bus;
import dev.gengate.common.Deadline;
import dev.gengate.common.ErrorCode;
import dev.gengate.generation.GenerationApi;
import dev.gengate.generation.GenerationApi.CancelExecution;
import dev.gengate.ledger.ApiKeys;
import dev.gengate.ledger.LedgerApi;
import dev.gengate.ledger.LedgerApi.CreatedGeneration;
import dev.gengate.ledger.LedgerApi.GenerationPage;
import dev.gengate.ledger.LedgerApi.GenerationRef;
import dev.gengate.ledger.LedgerApi.GenerationView;
import dev.gengate.ledger.LedgerApi.StoredImage;
import dev.gengate.ledger.LedgerApi.UserView;
import dev.gengate.provider.ImageParams;
import dev.gengate.provider.ModelCatalog;
import dev.gengate.provider.ModelConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code /v1/generations*}: create, read (optionally waiting for the end), list, cancel, and stored images. */
final class GenerationRoutes {
  static final int MAX_PROMPT = 2000;
  private static final Set<String> FIELDS = Set.of("prompt", "model", "params");
  private static final long WAIT_RECHECK_MS = 1000;
  private static final Pattern WAIT = Pattern.compile("(?i)\\s*wait\\s*=\\s*\"?(\\d{1,9})\"?\\s*");
  private static final Pattern IMAGE_INDEX = Pattern.compile("\\d{1,3}");

  private final Vertx vertx;
  private final ModelCatalog models;
  private final RateLimitGate gate;
  private final Duration timeout;
  private final Duration maxWait;

  GenerationRoutes(Vertx vertx, ModelCatalog models, RateLimitGate gate, HttpConfig http) {
    this.vertx = vertx;
    this.models = models;
    this.gate = gate;
    this.timeout = http.busTimeout();
    this.maxWait = http.maxWait();
  }

  void mount(Router router, Auth auth) {
    router.post("/v1/generations").handler(auth::user).respond(this::create);
    router.get("/v1/generations").handler(auth::user).respond(this::list);
    router.get("/v1/generations/:id").handler(auth::user).respond(this::get);
    router.post("/v1/generations/:id/cancel").handler(auth::user).respond(this::cancel);
    router.get("/v1/generations/:id/images/:n").handler(auth::user).handler(this::image);
  }

  /** Auth → validation → rate limit → one ledger transaction (idempotency, credits, active slots). */
  private Future<JsonObject> create(RoutingContext ctx) {
    UserView user = RequestContext.user(ctx);
    JsonBody body = JsonBody.of(ctx, FIELDS, false);
    String prompt = prompt(body);
    ModelConfig model = model(body.string("model"));
    JsonObject given = body.object("params");
    JsonObject params = given == null ? new JsonObject() : given;
    ImageParams.parse(params);
    String key = RequestParams.idempotencyKey(ctx);
    String hash = requestHash(model.name(), prompt, params);
    return gate.admit(ctx, user)
        .compose(v -> Bus.<CreatedGeneration>request(vertx, LedgerApi.CREATE_GENERATION, new LedgerApi.CreateGeneration(
            user.id(), model.name(), prompt, params, key, hash, Deadline.forRequest(timeout)), timeout))
        .map(created -> {
          GenerationView generation = created.generation();
          ctx.response().setStatusCode(created.replay() ? 200 : 202)
              .putHeader("Location", "/v1/generations/" + generation.id());
          return Views.generation(generation);
        });
  }

  private static String prompt(JsonBody body) {
    String prompt = body.string("prompt");
    if (prompt == null) {
      throw AppError.validation("prompt", "is required");
    }
    if (prompt.isBlank()) {
      throw AppError.validation("prompt", "must not be empty");
    }
    if (prompt.codePointCount(0, prompt.length()) > MAX_PROMPT) {
      throw AppError.validation("prompt", "must be at most " + MAX_PROMPT + " characters");
    }
    return prompt;
  }

  private ModelConfig model(String name) {
    return models.find(name).orElseThrow(() -> new AppError(ErrorCode.UNKNOWN_MODEL, new JsonObject()
        .put("model", name).put("available", new JsonArray(List.copyOf(models.models().keySet())))));
  }

  /**
   * {@code Prefer: wait=N} (capped at {@code http.maxWait}) answers as soon as the generation is terminal: the
   * ledger publishes every terminal transition, so this waits on that event (or the timer) and reads once more.
   * When another process ran the generation its event is not on this process's bus, so a slow re-read (once a
   * second, never a tight loop) catches that end too.
   */
  private Future<JsonObject> get(RoutingContext ctx) {
    GenerationRef ref = new GenerationRef(RequestContext.user(ctx).id(), RequestParams.pathId(ctx, "id"));
    Long wait = preferredWait(ctx);
    if (wait == null) {
      return read(ref).map(Views::generation);
    }
    ctx.response().putHeader("Preference-Applied", "wait=" + wait);
    if (wait == 0) {
      return read(ref).map(Views::generation);
    }
    Promise<Void> ended = Promise.promise();
    MessageConsumer<Object> consumer = vertx.eventBus()
        .localConsumer(LedgerApi.generationFinished(ref.id()), event -> ended.tryComplete());
    long timer = vertx.setTimer(wait * 1000, t -> ended.tryComplete());
    long recheck = vertx.setPeriodic(WAIT_RECHECK_MS, t -> read(ref).onSuccess(g -> {
      if (g.terminal()) {
        ended.tryComplete();
      }
    }));
    ctx.response().closeHandler(v -> ended.tryComplete());
    return consumer.completion()
        .compose(v -> read(ref)) // after subscribing, so an end between the two cannot be missed
        .compose(generation -> generation.terminal()
            ? Future.succeededFuture(generation)
            : ended.future().compose(v -> read(ref)))
        .onComplete(done -> {
          vertx.cancelTimer(timer);
          vertx.cancelTimer(recheck);
          consumer.unregister();
        })
        .map(Views::generation);
  }

  private Future<GenerationView> read(GenerationRef ref) {
    return Bus.request(vertx, LedgerApi.GET_GENERATION, ref, timeout);
  }

  /** Seconds from a {@code Prefer: wait=N} preference, capped; null when there is none (or it is malformed). */
  private Long preferredWait(RoutingContext ctx) {
    for (String header : ctx.request().headers().getAll("Prefer")) {
      for (String preference : header.split("[,;]")) {
        Matcher m = WAIT.matcher(preference);
        if (m.matches()) {
          return Math.min(Long.parseLong(m.group(1)), maxWait.toSeconds());
        }
      }
    }
    return null;
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    String status = ctx.request().getParam("status");
    if (status != null && status.isEmpty()) {
      status = null;
    }
    if (status != null && !LedgerApi.STATUSES.contains(status)) {
      throw AppError.validation("status", "must be one of " + String.join(", ", new TreeSet<>(LedgerApi.STATUSES)));
    }
    int limit = RequestParams.limit(ctx, 20, 100);
    GenerationCursor cursor = GenerationCursor.parse(ctx.request().getParam("cursor"));
    LedgerApi.ListGenerations request = new LedgerApi.ListGenerations(RequestContext.user(ctx).id(), status, limit,
        cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.id());
    return Bus.<GenerationPage>request(vertx, LedgerApi.LIST_GENERATIONS, request, timeout)
        .map(page -> Views.page(page.items(), Views::generation,
            page.more() ? GenerationCursor.after(page.items().get(page.items().size() - 1)) : null));
  }

  /** Cancels and refunds in the ledger, then tells whichever generation instance runs it to abort. */
  private Future<JsonObject> cancel(RoutingContext ctx) {
    GenerationRef ref = new GenerationRef(RequestContext.user(ctx).id(), RequestParams.pathId(ctx, "id"));
    return Bus.<GenerationView>request(vertx, LedgerApi.CANCEL_GENERATION, ref, timeout)
        .onSuccess(generation -> vertx.eventBus().publish(GenerationApi.CANCEL,
            new CancelExecution(generation.id(), null)))
        .map(Views::generation);
  }

  private void image(RoutingContext ctx) {
    UUID id = RequestParams.pathId(ctx, "id");
    String n = ctx.pathParam("n");
    if (n == null || !IMAGE_INDEX.matcher(n).matches()) {
      throw new AppError(ErrorCode.NOT_FOUND);
    }
    LedgerApi.ImageRef ref = new LedgerApi.ImageRef(RequestContext.user(ctx).id(), id, Integer.parseInt(n));
    Bus.<StoredImage>request(vertx, LedgerApi.GET_IMAGE, ref, timeout).onComplete(image -> ctx.response()
        .putHeader("Content-Type", image.contentType())
        .putHeader("Cache-Control", "private, max-age=86400")
        .putHeader("X-Content-Type-Options", "nosniff")
        .end(Buffer.buffer(image.content())), ctx::fail);
  }

  /** Identifies a request body for idempotency: the resolved model, the prompt and the params in canonical JSON. */
  static String requestHash(String model, String prompt, JsonObject params) {
    String canonical = model + "\n" + prompt + "\n" + canonicalJson(params);
    return HexFormat.of().formatHex(ApiKeys.sha256(canonical.getBytes(StandardCharsets.UTF_8)));
  }

  /** JSON with object keys sorted at every level, so equal documents hash equally whatever their key order. */
  static String canonicalJson(Object value) {
    if (value instanceof JsonObject object) {
      StringBuilder out = new StringBuilder("{");
      for (String key : new TreeSet<>(object.fieldNames())) {
        out.append(out.length() > 1 ? "," : "").append(io.vertx.core.json.Json.encode(key)).append(':')
            .append(canonicalJson(object.getValue(key)));
      }
      return out.append('}').toString();
    }
    if (value instanceof JsonArray array) {
      StringBuilder out = new StringBuilder("[");
      for (int i = 0; i < array.size(); i++) {
        out.append(i > 0 ? "," : "").append(canonicalJson(array.getValue(i)));
      }
      return out.append(']').toString();
    }
    return io.vertx.core.json.Json.encode(value);
  }
}
