package dev.gengate.common.config;

/** Invalid configuration: names the key and says what is wrong, in one line, for the operator. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String key, String problem) {
    super("invalid configuration: " + key + ": " + problem, null, false, false);
  }
}
