package dev.gengate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Invalid configuration stops the real process at start with one clear line naming the key. */
class MainStartupTest {
  private static Process start(String variable, String value) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        Main.class.getName());
    builder.environment().keySet().removeIf(name -> name.startsWith("GENGATE_"));
    builder.environment().put(variable, value);
    return builder.start();
  }

  private static void assertRefused(String variable, String value, String key) throws Exception {
    Process process = start(variable, value);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(process.exitValue()).isEqualTo(2);
    List<String> lines = stderr.lines().toList();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).startsWith("gengate: invalid configuration: " + key + ":");
  }

  @Test
  void negativeLimitStopsTheProcessWithOneLineNamingTheKey() throws Exception {
    assertRefused("GENGATE_LIMITS_PREMIUM_MAXACTIVE", "-1", "limits.premium.maxActive");
  }

  @Test
  void badDatabaseUrlStopsTheProcessWithOneLineNamingTheKey() throws Exception {
    assertRefused("GENGATE_DB_URL", "http://localhost/db", "db.url");
  }

  @Test
  void unknownProviderStopsTheProcessWithOneLineNamingTheKey() throws Exception {
    assertRefused("GENGATE_MODELS_DEMO_PROVIDER", "midjourney", "models.demo.provider");
  }
}
