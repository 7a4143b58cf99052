package dev.gengate.provider;

import dev.gengate.common.config.ConfigException;
import dev.gengate.common.config.ConfigReader;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@code models.*} and {@code defaultModel}: the models users may ask for, by name. */
public record ModelCatalog(Map<String, ModelConfig> models, String defaultModel) {
  public static ModelCatalog from(ConfigReader root) {
    ConfigReader section = root.section("models");
    Map<String, ModelConfig> models = new LinkedHashMap<>();
    for (String name : section.json().fieldNames()) {
      models.put(name, ModelConfig.from(name, section.section(name)));
    }
    if (models.isEmpty()) {
      throw new ConfigException("models", "must configure at least one model");
    }
    String defaultModel = root.string("defaultModel", "demo");
    if (!models.containsKey(defaultModel)) {
      throw new ConfigException("defaultModel", "names no configured model: '" + defaultModel + "'");
    }
    return new ModelCatalog(Collections.unmodifiableMap(models), defaultModel);
  }

  public Optional<ModelConfig> find(String name) {
    return Optional.ofNullable(models.get(name == null ? defaultModel : name));
  }
}
