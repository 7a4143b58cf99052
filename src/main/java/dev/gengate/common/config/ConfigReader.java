package dev.gengate.common.config;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, validating access to one section of the configuration. Every failure is a {@link ConfigException}
 * naming the full key, e.g. {@code limits.free.perMinute: must be at least 1, got -3}.
 */
public final class ConfigReader {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");
  private final JsonObject json;
  private final String prefix;

  public ConfigReader(JsonObject json) {
    this(json, "");
  }

  private ConfigReader(JsonObject json, String prefix) {
    this.json = json == null ? new JsonObject() : json;
    this.prefix = prefix;
  }

  public String key(String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }

  public JsonObject json() {
    return json;
  }

  /**
   * The value of a key, matched exactly or else ignoring case and underscores: an environment override can only
   * create new keys in lower case ({@code GENGATE_MODELS_SDXL_BASEURL} makes {@code baseurl}), and should still
   * set {@code baseUrl}.
   */
  private Object value(String name) {
    Object exact = json.getValue(name);
    if (exact != null) {
      return exact;
    }
    String wanted = flatten(name);
    for (String field : json.fieldNames()) {
      if (flatten(field).equals(wanted)) {
        return json.getValue(field);
      }
    }
    return null;
  }

  private static String flatten(String key) {
    return key.toLowerCase(Locale.ROOT).replace("_", "");
  }

  public boolean has(String name) {
    return value(name) != null;
  }

  public ConfigReader section(String name) {
    Object value = value(name);
    if (value != null && !(value instanceof JsonObject)) {
      throw new ConfigException(key(name), "must be a section (a mapping)");
    }
    return new ConfigReader((JsonObject) value, key(name));
  }

  public String string(String name, String fallback) {
    Object value = value(name);
    return value == null ? fallback : value.toString();
  }

  public String oneOf(String name, String fallback, Set<String> allowed) {
    String value = string(name, fallback).toLowerCase(Locale.ROOT);
    if (!allowed.contains(value)) {
      throw new ConfigException(key(name), "must be one of " + allowed + ", got '" + value + "'");
    }
    return value;
  }

  public boolean bool(String name, boolean fallback) {
    Object value = value(name);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    String text = value.toString().trim().toLowerCase(Locale.ROOT);
    if (text.equals("true") || text.equals("false")) {
      return Boolean.parseBoolean(text);
    }
    throw new ConfigException(key(name), "must be true or false, got '" + value + "'");
  }

  public long integer(String name, long fallback, long min, long max) {
    Object value = value(name);
    long number;
    if (value == null) {
      number = fallback;
    } else if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      number = n.longValue();
    } else {
      try {
        number = Long.parseLong(value.toString().trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(key(name), "must be a whole number, got '" + value + "'");
      }
    }
    if (number < min || number > max) {
      throw new ConfigException(key(name), "must be between " + min + " and " + max + ", got " + number);
    }
    return number;
  }

  public int intValue(String name, int fallback, int min, int max) {
    return (int) integer(name, fallback, min, max);
  }

  /** A duration such as {@code 1500ms}, {@code 30s}, {@code 2m}; a bare number means milliseconds. */
  public Duration duration(String name, Duration fallback, Duration min) {
    Object value = value(name);
    if (value == null) {
      return fallback;
    }
    Matcher m = DURATION.matcher(value.toString().trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new ConfigException(key(name), "must be a duration like 1500ms, 30s or 2m, got '" + value + "'");
    }
    long amount = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2);
    Duration duration = switch (unit) {
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofMillis(amount);
    };
    if (duration.compareTo(min) < 0) {
      throw new ConfigException(key(name), "must be at least " + min.toMillis() + "ms, got '" + value + "'");
    }
    return duration;
  }

  /** An optional URL; empty means "not set". Must have one of the schemes and a host. */
  public URI url(String name, Set<String> schemes) {
    String value = string(name, "").trim();
    if (value.isEmpty()) {
      return null;
    }
    try {
      URI uri = new URI(value);
      if (uri.getScheme() == null || !schemes.contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
        throw new ConfigException(key(name), "must start with one of " + schemes + "://, got '" + redact(uri) + "'");
      }
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        throw new ConfigException(key(name), "must name a host, got '" + redact(uri) + "'");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new ConfigException(key(name), "is not a valid URL");
    }
  }

  /** The URL without its user-info, so passwords never reach a log line. */
  public static String redact(URI uri) {
    if (uri.getUserInfo() == null) {
      return uri.toString();
    }
    return uri.toString().replace(uri.getRawUserInfo() + "@", "***@");
  }
}
