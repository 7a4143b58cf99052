package dev.gengate;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * Starts an embedded PostgreSQL and/or Redis for the settings that leave their URL empty, and stops them with
 * the service. With URLs set nothing is started. Blocking by nature: called from {@code main}, never from an
 * event loop.
 */
public final class EmbeddedServices implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServices.class);

  private final EmbeddedPostgres postgres;
  private final RedisServer redis;
  private final AppConfig config;

  private EmbeddedServices(EmbeddedPostgres postgres, RedisServer redis, AppConfig config) {
    this.postgres = postgres;
    this.redis = redis;
    this.config = config;
  }

  /** Starts what the configuration leaves to us; the returned config has every URL filled in. */
  public static EmbeddedServices start(AppConfig config) {
    EmbeddedPostgres postgres = null;
    RedisServer redis = null;
    AppConfig resolved = config;
    try {
      if (config.db().embedded()) {
        postgres = startPostgres(config.db().dataDir(), config.db().embeddedPort(), true);
        resolved = resolved.with("db", "url", postgresUrl(postgres.getPort()));
        LOG.info("PostgreSQL: embedded, port {}, data in {}", postgres.getPort(), config.db().dataDir().toAbsolutePath());
      } else {
        LOG.info("PostgreSQL: external, {}", redact(config.db().url()));
      }
      if (config.redis().embedded()) {
        int port = config.redis().embeddedPort() == 0 ? freePort() : config.redis().embeddedPort();
        redis = startRedis(port);
        resolved = resolved.with("redis", "url", "redis://127.0.0.1:" + port);
        LOG.info("Redis: embedded, port {}", port);
      } else {
        LOG.info("Redis: external, {}", redact(config.redis().url()));
      }
      return new EmbeddedServices(postgres, redis, resolved);
    } catch (IOException | RuntimeException e) {
      new EmbeddedServices(postgres, redis, resolved).close();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /**
   * {@code durable}: fsync and synchronous commit on, so a committed credit movement survives a power loss
   * (the embedded library turns both off by default, which only suits throw-away test databases).
   */
  public static EmbeddedPostgres startPostgres(Path dataDir, int port, boolean durable) throws IOException {
    Files.createDirectories(dataDir);
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        // Our own stop sequence closes it, after the modules that use it have stopped.
        .setRegisterShutdownHook(false)
        .setPGStartupWait(Duration.ofSeconds(60))
        .setServerConfig("max_connections", "300")
        .setServerConfig("listen_addresses", "127.0.0.1");
    if (durable) {
      builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
    }
    if (port > 0) {
      builder.setPort(port);
    }
    return builder.start();
  }

  public static RedisServer startRedis(int port) throws IOException {
    RedisServer server = RedisServer.newRedisServer()
        .port(port)
        .bind("127.0.0.1")
        .setting("save \"\"")
        .setting("appendonly no")
        .onShutdownForceStop(false)
        .build();
    server.start();
    return server;
  }

  public static String postgresUrl(int port) {
    return "postgresql://postgres:postgres@127.0.0.1:" + port + "/postgres";
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String redact(URI uri) {
    return dev.gengate.common.config.ConfigReader.redact(uri);
  }

  /** True when the configuration named both servers, so no embedded one runs. */
  public boolean startedNothing() {
    return postgres == null && redis == null;
  }

  /** The configuration with the embedded services' URLs filled in. */
  public AppConfig config() {
    return config;
  }

  @Override
  public void close() {
    if (redis != null) {
      try {
        redis.stop();
      } catch (IOException | RuntimeException e) {
        LOG.warn("embedded Redis did not stop cleanly: {}", e.toString());
      }
    }
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException | RuntimeException e) {
        LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.toString());
      }
    }
  }
}
