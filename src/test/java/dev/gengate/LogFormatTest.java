package dev.gengate;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import dev.gengate.common.config.ConfigLoader;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code log.format: json} selects logback's JSON appender: one JSON object per line. */
class LogFormatTest {

  @Test
  void logFormatSelectsTheAppender() {
    assertThat(Main.logAppender(AppConfig.parse(ConfigLoader.load(null, Map.of())))).isEqualTo("TEXT");
    assertThat(Main.logAppender(AppConfig.parse(ConfigLoader.load(null, Map.of("GENGATE_LOG_FORMAT", "json")))))
        .isEqualTo("JSON");
  }

  @Test
  void jsonAppenderWritesOneJsonObjectPerLine() throws Exception {
    List<String> lines = logWith("JSON");
    assertThat(lines).hasSize(2);
    JsonObject access = new JsonObject(lines.get(0));
    assertThat(access.getString("level")).isEqualTo("INFO");
    assertThat(access.getString("loggerName")).isEqualTo("gengate.access");
    assertThat(access.getString("formattedMessage"))
        .isEqualTo("GET /v1/me 200 1.5ms requestId=r-1 userId=u-1");
    JsonObject error = new JsonObject(lines.get(1));
    assertThat(error.getString("level")).isEqualTo("ERROR");
    assertThat(error.getString("formattedMessage")).isEqualTo("it broke \"badly\"");
    assertThat(error.getValue("throwable")).isNotNull();
  }

  @Test
  void textAppenderIsTheDefault() throws Exception {
    List<String> lines = logWith(null);
    assertThat(lines.get(0)).contains("INFO").contains("GET /v1/me 200 1.5ms requestId=r-1 userId=u-1")
        .doesNotStartWith("{");
  }

  /** Configures a fresh logback context from the service's logback.xml and captures what it prints. */
  private static List<String> logWith(String appender) throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    if (appender != null) {
      context.putProperty(Main.LOG_APPENDER_PROPERTY, appender);
    }
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
      context.getLogger("gengate.access").info("{} {} {} {}ms requestId={} userId={}",
          "GET", "/v1/me", 200, "1.5", "r-1", "u-1");
      context.getLogger(LogFormatTest.class).error("it broke \"{}\"", "badly", new IllegalStateException("boom"));
    } finally {
      context.stop();
      System.setOut(stdout);
    }
    return captured.toString(StandardCharsets.UTF_8).lines().filter(line -> !line.isBlank())
        .filter(line -> !line.startsWith("\t") && !line.startsWith("java.") && !line.startsWith("Caused"))
        .toList();
  }
}
