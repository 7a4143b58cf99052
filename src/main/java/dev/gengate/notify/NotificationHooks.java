package dev.gengate.notify;

import dev.gengate.ledger.LedgerApi.GenerationView;
import dev.gengate.ledger.TransitionHooks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;

/**
 * The Telegram side of generation transitions: each started, completed, failed or cancelled transition writes
 * its outbox row inside the transition's own transaction (so a crash right after the change loses nothing), and
 * wakes the delivery loop once the transaction has committed. With notifications off it does nothing.
 */
public final class NotificationHooks implements TransitionHooks {
  private final Vertx vertx;
  private final Outbox outbox;

  public NotificationHooks(Vertx vertx, Outbox outbox) {
    this.vertx = vertx;
    this.outbox = outbox;
  }

  @Override
  public Future<Void> started(SqlConnection conn, GenerationView g) {
    return enqueue(conn, g, NotificationEvent.STARTED, NotificationPayload.started(g.model(), g.prompt()));
  }

  @Override
  public Future<Void> completed(SqlConnection conn, GenerationView g) {
    return enqueue(conn, g, NotificationEvent.COMPLETED,
        NotificationPayload.completed(g.model(), g.prompt(), publicImageUrl(g.result())));
  }

  @Override
  public Future<Void> failed(SqlConnection conn, GenerationView g) {
    return enqueue(conn, g, NotificationEvent.FAILED,
        NotificationPayload.failed(g.model(), g.prompt(), g.errorCode(), g.creditsCharged()));
  }

  @Override
  public Future<Void> cancelled(SqlConnection conn, GenerationView g) {
    return enqueue(conn, g, NotificationEvent.CANCELLED,
        NotificationPayload.cancelled(g.model(), g.prompt(), g.creditsCharged()));
  }

  @Override
  public void committed() {
    if (outbox.enabled()) {
      Outbox.wake(vertx);
    }
  }

  private Future<Void> enqueue(SqlConnection conn, GenerationView g, NotificationEvent event, JsonObject payload) {
    return outbox.enqueue(conn, g.userId(), event, g.id(), payload);
  }

  /**
   * A link worth sending to a chat: an image the upstream serves publicly. Images the service stores itself are
   * served only to the API key's owner, so their link would not open from Telegram; the message then names the
   * model only.
   */
  private static String publicImageUrl(JsonObject result) {
    JsonArray images = result == null ? null : result.getJsonArray("images");
    if (images == null || images.isEmpty()) {
      return null;
    }
    String url = images.getJsonObject(0).getString("url");
    return url != null && (url.startsWith("https://") || url.startsWith("http://")) ? url : null;
  }
}
