package dev.gengate.notify;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a notification in the user's language from {@code i18n/notify_*.properties} (UTF-8): the event picks
 * the template, the payload fills its {@code {placeholders}}. Plain text: Telegram is not asked to parse markup,
 * so a prompt can hold any characters.
 */
final class Messages {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");
  private static final int PROMPT_MAX = 60;
  private static final Map<String, ResourceBundle> BUNDLES = Map.of(
      "en", bundle(Locale.ENGLISH),
      "ru", bundle(Locale.forLanguageTag("ru")));

  private Messages() {}

  static String render(String language, NotificationEvent event, JsonObject payload) {
    ResourceBundle bundle = BUNDLES.getOrDefault(language, BUNDLES.get("en"));
    String prompt = payload.getValue(NotificationPayload.PROMPT) instanceof String p && !p.isBlank()
        ? fill(bundle.getString("prompt"), Map.of("text", shorten(p.strip())))
        : "";
    long refunded = payload.getValue(NotificationPayload.CREDITS_REFUNDED) instanceof Number n ? n.longValue() : 0;
    String imageUrl = payload.getValue(NotificationPayload.IMAGE_URL) instanceof String u && !u.isBlank() ? u : null;
    String key = switch (event) {
      case STARTED -> "started";
      case COMPLETED -> imageUrl == null ? "completed" : "completed.image";
      case FAILED -> refunded > 0 ? "failed" : "failed.noRefund";
      case CANCELLED -> refunded > 0 ? "cancelled" : "cancelled.noRefund";
    };
    String model = payload.getValue(NotificationPayload.MODEL) instanceof String m && !m.isBlank() ? m : "?";
    return fill(bundle.getString(key), Map.of(
        "prompt", prompt,
        "model", model,
        "imageUrl", imageUrl == null ? "" : imageUrl,
        "credits", Long.toString(refunded),
        "reason", reason(bundle, payload.getValue(NotificationPayload.REASON_CODE))));
  }

  private static String reason(ResourceBundle bundle, Object code) {
    String key = "reason." + code;
    return code instanceof String && bundle.containsKey(key) ? bundle.getString(key) : bundle.getString("reason.other");
  }

  /** The first characters of a prompt, on one line. */
  private static String shorten(String prompt) {
    String line = prompt.replaceAll("\\s+", " ");
    if (line.codePointCount(0, line.length()) <= PROMPT_MAX) {
      return line;
    }
    return line.substring(0, line.offsetByCodePoints(0, PROMPT_MAX - 1)).stripTrailing() + "…";
  }

  private static String fill(String template, Map<String, String> values) {
    Matcher matcher = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String value = values.get(matcher.group(1));
      matcher.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static ResourceBundle bundle(Locale locale) {
    return ResourceBundle.getBundle("i18n.notify", locale,
        ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
  }
}
