package dev.gengate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.common.config.ConfigLoader;
import dev.gengate.testing.TestInfra;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedServicesTest {
  @Test
  void embeddedPostgresKeepsItsDataAcrossRestarts(@TempDir Path dataDir) throws Exception {
    AppConfig config = AppConfig.parse(ConfigLoader.load(null, Map.of(
        "GENGATE_DB_DATADIR", dataDir.toString(),
        "GENGATE_REDIS_URL", TestInfra.get().redisUrl())));
    try (EmbeddedServices first = EmbeddedServices.start(config)) {
      Migrations.migrate(first.config().db().url());
      execute(first.config(), "INSERT INTO users (language) VALUES ('ru')");
    }
    try (EmbeddedServices second = EmbeddedServices.start(config)) {
      Migrations.migrate(second.config().db().url());
      assertThat(count(second.config(), "SELECT count(*) FROM users WHERE language = 'ru'")).isEqualTo(1);
    }
  }

  @Test
  void configuredUrlsStartNothing() {
    TestInfra infra = TestInfra.get();
    AppConfig config = AppConfig.parse(ConfigLoader.load(null, Map.of(
        "GENGATE_DB_URL", infra.postgresUrl(), "GENGATE_REDIS_URL", infra.redisUrl())));
    try (EmbeddedServices services = EmbeddedServices.start(config)) {
      assertThat(services.config().db().url()).isEqualTo(config.db().url());
      assertThat(services.config().redis().url()).isEqualTo(config.redis().url());
      assertThat(services.startedNothing()).isTrue();
    }
  }

  private static Connection connect(AppConfig config) throws Exception {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + config.db().url().getPort() + "/postgres",
        "postgres", "postgres");
  }

  private static void execute(AppConfig config, String sql) throws Exception {
    try (Connection c = connect(config); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static long count(AppConfig config, String sql) throws Exception {
    try (Connection c = connect(config); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }
}
