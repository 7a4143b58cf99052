package dev.gengate.notify;

import io.vertx.core.json.JsonObject;

/**
 * The payload each {@link NotificationEvent} is enqueued with: the facts its message is written from, frozen at
 * the moment of the state change. Build it with these factories so the keys always match what
 * {@link Messages} reads. {@code prompt} is optional everywhere (it names the generation in the message).
 */
public final class NotificationPayload {
  public static final String MODEL = "model";
  public static final String PROMPT = "prompt";
  /** Absolute URL of the first image, when there is one a Telegram user can open. */
  public static final String IMAGE_URL = "imageUrl";
  /** {@code PROVIDER_ERROR}, {@code TIMEOUT} or {@code INTERNAL_ERROR} (the generation's error code). */
  public static final String REASON_CODE = "reasonCode";
  public static final String CREDITS_REFUNDED = "creditsRefunded";

  private NotificationPayload() {}

  public static JsonObject started(String model, String prompt) {
    return base(model, prompt);
  }

  public static JsonObject completed(String model, String prompt, String imageUrl) {
    return base(model, prompt).put(IMAGE_URL, imageUrl);
  }

  public static JsonObject failed(String model, String prompt, String reasonCode, long creditsRefunded) {
    return base(model, prompt).put(REASON_CODE, reasonCode).put(CREDITS_REFUNDED, creditsRefunded);
  }

  public static JsonObject cancelled(String model, String prompt, long creditsRefunded) {
    return base(model, prompt).put(CREDITS_REFUNDED, creditsRefunded);
  }

  private static JsonObject base(String model, String prompt) {
    return new JsonObject().put(MODEL, model).put(PROMPT, prompt);
  }
}
