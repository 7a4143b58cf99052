package dev.gengate.common.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Loads the configuration once: the defaults bundled in the jar ({@code conf/config.yaml} is a copy of them),
 * then the file named by {@code --conf} or {@code GENGATE_CONFIG}, then environment overrides
 * {@code GENGATE_<PATH>}.
 *
 * <p>An override's path is matched against the existing keys case-insensitively, with underscores in the
 * variable standing either for a level or for nothing inside a key: {@code GENGATE_TELEGRAM_BOTTOKEN} and
 * {@code GENGATE_TELEGRAM_BOT_TOKEN} both set {@code telegram.botToken}. A variable that could mean two keys
 * is rejected; one naming a key that does not exist yet creates it with lower-case segments (e.g. a model).
 *
 * <p>It logs nothing: it runs before logging is configured (the log format is itself a setting).
 */
public final class ConfigLoader {
  public static final String ENV_PREFIX = "GENGATE_";
  public static final String ENV_CONFIG_FILE = "GENGATE_CONFIG";
  private static final String DEFAULTS_RESOURCE = "/config.yaml";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ConfigLoader() {}

  /** Defaults, overlaid with the file (if any), overlaid with the environment. */
  public static JsonObject load(Path file, Map<String, String> env) {
    JsonObject config = defaults();
    Path chosen = file != null ? file : envFile(env);
    if (chosen != null) {
      deepMerge(config, readFile(chosen));
    }
    applyEnv(config, env);
    return config;
  }

  public static JsonObject defaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS_RESOURCE + " missing from the classpath");
      }
      return toJson(YAML.readValue(in, Map.class));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read bundled defaults", e);
    }
  }

  private static Path envFile(Map<String, String> env) {
    String value = env.get(ENV_CONFIG_FILE);
    return value == null || value.isBlank() ? null : Path.of(value);
  }

  private static JsonObject readFile(Path file) {
    if (!Files.isReadable(file)) {
      throw new ConfigException("--conf", "cannot read file " + file);
    }
    try {
      Object parsed = YAML.readValue(file.toFile(), Object.class);
      if (parsed == null) {
        return new JsonObject();
      }
      if (!(parsed instanceof Map<?, ?> map)) {
        throw new ConfigException("--conf", file + " must hold a YAML mapping at the top level");
      }
      return toJson(map);
    } catch (JsonProcessingException e) {
      throw new ConfigException("--conf", file + " is not valid YAML (line " + e.getLocation().getLineNr() + ")");
    } catch (IOException e) {
      throw new ConfigException("--conf", "cannot read file " + file + ": " + e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  private static JsonObject toJson(Map<?, ?> map) {
    return new JsonObject((Map<String, Object>) map).copy();
  }

  static void deepMerge(JsonObject target, JsonObject overlay) {
    for (Map.Entry<String, Object> entry : overlay) {
      Object current = target.getValue(entry.getKey());
      if (current instanceof JsonObject currentObject && entry.getValue() instanceof JsonObject overlayObject) {
        deepMerge(currentObject, overlayObject);
      } else {
        target.put(entry.getKey(), entry.getValue());
      }
    }
  }

  static void applyEnv(JsonObject config, Map<String, String> env) {
    Map<String, String> sorted = new TreeMap<>(env);
    for (Map.Entry<String, String> entry : sorted.entrySet()) {
      String name = entry.getKey();
      if (!name.startsWith(ENV_PREFIX) || name.equals(ENV_CONFIG_FILE) || name.length() == ENV_PREFIX.length()) {
        continue;
      }
      String[] segments = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).split("_+");
      List<String> path = resolve(config, segments, 0, name);
      setPath(config, path, entry.getValue(), name);
    }
  }

  /** Finds the unique key path the segments spell; unknown tails become new lower-case keys. */
  private static List<String> resolve(JsonObject node, String[] segments, int from, String variable) {
    List<List<String>> matches = new ArrayList<>();
    for (String key : node.fieldNames()) {
      String flatKey = flatten(key);
      StringBuilder joined = new StringBuilder();
      for (int end = from; end < segments.length; end++) {
        joined.append(segments[end]);
        if (!flatKey.equals(joined.toString())) {
          continue;
        }
        boolean last = end == segments.length - 1;
        Object child = node.getValue(key);
        if (last) {
          matches.add(List.of(key));
        } else if (child instanceof JsonObject childObject) {
          List<String> rest = resolve(childObject, segments, end + 1, variable);
          List<String> path = new ArrayList<>();
          path.add(key);
          path.addAll(rest);
          matches.add(path);
        }
      }
    }
    if (matches.size() > 1) {
      throw new ConfigException(variable, "matches more than one key: " + matches);
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    List<String> created = new ArrayList<>();
    for (int i = from; i < segments.length; i++) {
      created.add(segments[i]);
    }
    return created;
  }

  private static String flatten(String key) {
    return key.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
  }

  private static void setPath(JsonObject config, List<String> path, String raw, String variable) {
    JsonObject node = config;
    for (int i = 0; i < path.size() - 1; i++) {
      Object child = node.getValue(path.get(i));
      if (!(child instanceof JsonObject)) {
        child = new JsonObject();
        node.put(path.get(i), child);
      }
      node = (JsonObject) child;
    }
    String leaf = path.get(path.size() - 1);
    if (node.getValue(leaf) instanceof JsonObject) {
      throw new ConfigException(variable, "names a section, not a single setting");
    }
    node.put(leaf, coerce(node.getValue(leaf), raw));
  }

  /** Keeps the type of the value it replaces, so numbers stay numbers and switches stay booleans. */
  private static Object coerce(Object previous, String raw) {
    String value = raw.trim();
    if (previous instanceof Boolean && (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(value);
    }
    if (previous instanceof Number && value.matches("-?\\d+")) {
      return Long.parseLong(value);
    }
    return value;
  }
}
