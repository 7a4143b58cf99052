package dev.gengate.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gengate.AppConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static AppConfig load(Map<String, String> env) {
    return AppConfig.parse(ConfigLoader.load(null, env));
  }

  @Test
  void bundledDefaultsMatchTheDesign() {
    AppConfig config = load(Map.of());
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.db().embedded()).isTrue();
    assertThat(config.redis().embedded()).isTrue();
    assertThat(config.limits().free().maxActive()).isEqualTo(5);
    assertThat(config.limits().free().perMinute()).isEqualTo(10);
    assertThat(config.limits().premium().maxActive()).isEqualTo(10);
    assertThat(config.limits().premium().perMinute()).isEqualTo(30);
    assertThat(config.models().defaultModel()).isEqualTo("demo");
    assertThat(config.models().find("demo").orElseThrow().timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.telegram().enabled()).isFalse();
  }

  @Test
  void environmentOverridesAnyKeyKeepingItsType() {
    AppConfig config = load(Map.of(
        "GENGATE_HTTP_PORT", "9090",
        "GENGATE_DB_URL", "postgresql://u:p@db.example:5433/gen",
        "GENGATE_REDIS_URL", "redis://127.0.0.1:6380",
        "GENGATE_ADMIN_TOKEN", "secret",
        "GENGATE_LIMITS_FREE_PERMINUTE", "20",
        "GENGATE_TELEGRAM_APIBASEURL", "http://127.0.0.1:9999"));
    assertThat(config.http().port()).isEqualTo(9090);
    assertThat(config.json().getJsonObject("http").getValue("port")).isInstanceOf(Number.class);
    assertThat(config.db().url().getHost()).isEqualTo("db.example");
    assertThat(config.redis().url().getPort()).isEqualTo(6380);
    assertThat(config.http().adminToken()).isEqualTo("secret");
    assertThat(config.limits().free().perMinute()).isEqualTo(20);
    assertThat(config.telegram().apiBaseUrl().toString()).isEqualTo("http://127.0.0.1:9999");
  }

  @Test
  void underscoresInsideACamelCaseKeyAreAccepted() {
    assertThat(load(Map.of("GENGATE_TELEGRAM_BOTTOKEN", "1:a")).telegram().botToken()).isEqualTo("1:a");
    assertThat(load(Map.of("GENGATE_TELEGRAM_BOT_TOKEN", "2:b")).telegram().botToken()).isEqualTo("2:b");
    assertThat(load(Map.of("GENGATE_LIMITS_REDIS_FAILURE_MODE", "closed")).limits().failOpen()).isFalse();
    assertThat(load(Map.of("GENGATE_VERTICLES_LEDGER_INSTANCES", "3")).ledgerInstances()).isEqualTo(3);
  }

  @Test
  void overrideForAKeyThatDoesNotExistYetCreatesIt() {
    AppConfig config = load(Map.of("GENGATE_MODELS_FAST_PROVIDER", "demo", "GENGATE_MODELS_FAST_PRICE", "3",
        "GENGATE_MODELS_SDXL_PROVIDER", "openai-images", "GENGATE_MODELS_SDXL_BASEURL", "http://127.0.0.1:9000",
        "GENGATE_MODELS_SDXL_UPSTREAMMODEL", "sdxl-1.0"));
    assertThat(config.models().find("fast").orElseThrow().price()).isEqualTo(3);
    assertThat(config.models().find("sdxl").orElseThrow().baseUrl().toString()).isEqualTo("http://127.0.0.1:9000");
    assertThat(config.models().find("sdxl").orElseThrow().upstreamModel()).isEqualTo("sdxl-1.0");
  }

  @Test
  void variablesOutsideThePrefixAreIgnored() {
    assertThat(load(Map.of("HTTP_PORT", "1", "GENGATE", "x")).http().port()).isEqualTo(8080);
  }

  @Test
  void aFileOverlaysTheDefaultsAndTheEnvironmentOverlaysTheFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("my.yaml");
    Files.writeString(file, "http:\n  port: 7000\nlimits:\n  free: {perMinute: 3}\n");
    AppConfig config = AppConfig.parse(ConfigLoader.load(file, Map.of("GENGATE_HTTP_PORT", "7001")));
    assertThat(config.http().port()).isEqualTo(7001);
    assertThat(config.limits().free().perMinute()).isEqualTo(3);
    assertThat(config.limits().free().maxActive()).isEqualTo(5);
  }

  @Test
  void configFileCanComeFromGengateConfig(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("env.yaml");
    Files.writeString(file, "http: {port: 7100}\n");
    assertThat(load(Map.of("GENGATE_CONFIG", file.toString())).http().port()).isEqualTo(7100);
  }

  @Test
  void invalidValuesNameTheirKey() {
    assertThatThrownBy(() -> load(Map.of("GENGATE_LIMITS_FREE_PERMINUTE", "-3")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("limits.free.perMinute");
    assertThatThrownBy(() -> load(Map.of("GENGATE_DB_URL", "mysql://x/y")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("db.url");
    assertThatThrownBy(() -> load(Map.of("GENGATE_REDIS_URL", "not a url")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("redis.url");
    assertThatThrownBy(() -> load(Map.of("GENGATE_HTTP_PORT", "eighty")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http.port");
    assertThatThrownBy(() -> load(Map.of("GENGATE_MODELS_DEMO_PROVIDER", "dalle")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("models.demo.provider");
    assertThatThrownBy(() -> load(Map.of("GENGATE_MODELS_DEMO_TIMEOUT", "soon")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("models.demo.timeout");
    assertThatThrownBy(() -> load(Map.of("GENGATE_DEFAULTMODEL", "nope")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("defaultModel");
  }

  @Test
  void unreadableOrInvalidFileIsAConfigError(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("missing.yaml");
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "http: [port: 1\n");
    assertThatThrownBy(() -> ConfigLoader.load(broken, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not valid YAML");
  }

  @Test
  void ambiguousVariableIsRefused() {
    JsonObject config = new JsonObject().put("a", new JsonObject().put("bC", 1)).put("aB", new JsonObject()
        .put("c", 2));
    assertThatThrownBy(() -> ConfigLoader.applyEnv(config, Map.of("GENGATE_A_B_C", "5")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("more than one key");
  }
}
