package dev.gengate.notify;

import java.util.Locale;

/** What happened to a generation; stored in {@code notification_outbox.event} by its lower-case name. */
public enum NotificationEvent {
  STARTED, COMPLETED, FAILED, CANCELLED;

  public String dbName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static NotificationEvent fromDb(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
