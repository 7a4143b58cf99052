package dev.gengate.notify;

/**
 * The notify module's event-bus contract. Notifications are not requested over the bus: they are rows written
 * by {@link Outbox#enqueue} inside the caller's transaction. The bus only carries the hint that there is work.
 */
public final class NotifyApi {
  private NotifyApi() {}

  /**
   * Any body, no reply: "the outbox has new rows, look now". Sent with {@link Outbox#wake} after the enqueuing
   * transaction commits; without it the rows still go out at the next {@code telegram.pollInterval}.
   */
  public static final String WAKE = "notify.wake";
}
