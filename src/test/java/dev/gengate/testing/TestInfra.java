package dev.gengate.testing;

import dev.gengate.EmbeddedServices;
import dev.gengate.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import redis.embedded.RedisServer;

/**
 * One real PostgreSQL and one real Redis for the whole test run, started on first use and stopped when the
 * JVM exits. Tests isolate themselves by creating their own users, never by sharing rows.
 */
public final class TestInfra {
  private static TestInfra instance;

  private final EmbeddedPostgres postgres;
  private final RedisServer redis;
  private final int redisPort;
  private final String schemaVersion;

  private TestInfra() throws IOException {
    Path dataDir = Files.createTempDirectory("gengate-test-pg");
    postgres = EmbeddedServices.startPostgres(dataDir, 0, false);
    redisPort = EmbeddedServices.freePort();
    redis = EmbeddedServices.startRedis(redisPort);
    schemaVersion = Migrations.migrate(URI.create(postgresUrl()));
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "test-infra-stop"));
  }

  public static synchronized TestInfra get() {
    if (instance == null) {
      try {
        instance = new TestInfra();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  public String postgresUrl() {
    return EmbeddedServices.postgresUrl(postgres.getPort());
  }

  public String redisUrl() {
    return "redis://127.0.0.1:" + redisPort;
  }

  /** The schema version the migrations brought the test database to. */
  public String schemaVersion() {
    return schemaVersion;
  }

  public int postgresPort() {
    return postgres.getPort();
  }

  /** A plain JDBC connection, for assertions that read the database directly. */
  public Connection jdbc() {
    try {
      return DriverManager.getConnection(
          "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres", "postgres", "postgres");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private void stop() {
    try {
      redis.stop();
    } catch (IOException | RuntimeException ignored) {
      // the JVM is exiting
    }
    try {
      postgres.close();
    } catch (IOException | RuntimeException ignored) {
      // the JVM is exiting
    }
  }
}
