package dev.gengate.provider;

import dev.gengate.common.config.ConfigException;
import dev.gengate.common.config.ConfigReader;
import java.net.URI;
import java.time.Duration;
import java.util.Set;

/**
 * {@code models.<name>}: one model users can ask for. {@code delay} is for the demo provider;
 * {@code baseUrl}, {@code apiKey} and {@code upstreamModel} are for openai-images.
 */
public record ModelConfig(
    String name, String provider, long price, Duration timeout, Duration delay,
    URI baseUrl, String apiKey, String upstreamModel) {

  public static final String DEMO = "demo";
  public static final String OPENAI_IMAGES = "openai-images";

  public static ModelConfig from(String name, ConfigReader model) {
    String provider = model.oneOf("provider", "", Set.of(DEMO, OPENAI_IMAGES));
    URI baseUrl = model.url("baseUrl", Set.of("http", "https"));
    if (provider.equals(OPENAI_IMAGES) && baseUrl == null) {
      throw new ConfigException(model.key("baseUrl"), "is required for provider " + OPENAI_IMAGES);
    }
    return new ModelConfig(
        name,
        provider,
        // At least 1: every generation has exactly one CHARGE entry, and entries are never zero.
        model.integer("price", 1, 1, 1_000_000_000),
        model.duration("timeout", Duration.ofSeconds(30), Duration.ofMillis(100)),
        model.duration("delay", Duration.ofMillis(1500), Duration.ZERO),
        baseUrl,
        model.string("apiKey", ""),
        model.string("upstreamModel", name));
  }
}
