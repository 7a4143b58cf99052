package dev.gengate.http;

import dev.gengate.common.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Localized error messages from {@code i18n/errors_*.properties}, with {@code {name}} filled from details. */
final class ErrorMessages {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");
  private static final Map<Language, ResourceBundle> BUNDLES = new EnumMap<>(Language.class);

  static {
    for (Language language : Language.values()) {
      BUNDLES.put(language, ResourceBundle.getBundle("i18n.errors", language.locale(),
          ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES)));
    }
  }

  private ErrorMessages() {}

  static String message(ErrorCode code, JsonObject details, Language language) {
    ResourceBundle bundle = BUNDLES.get(language);
    String template = bundle.containsKey(code.name()) ? bundle.getString(code.name()) : code.name();
    Matcher matcher = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      Object value = details.getValue(matcher.group(1));
      String text = value == null ? ""
          : value instanceof JsonArray list ? list.stream().map(String::valueOf).collect(Collectors.joining(", "))
          : value.toString();
      matcher.appendReplacement(out, Matcher.quoteReplacement(text));
    }
    matcher.appendTail(out);
    return out.toString().replace("  ", " ").replace(" .", ".");
  }
}
