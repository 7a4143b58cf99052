package dev.gengate;

import dev.gengate.common.Readiness;
import dev.gengate.common.config.ConfigException;
import dev.gengate.common.config.ConfigLoader;
import dev.gengate.common.config.ConfigReader;
import dev.gengate.common.config.VertxConfig;
import dev.gengate.common.metrics.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Starts gengate: reads the configuration once, starts embedded PostgreSQL/Redis where no URL is configured,
 * migrates the schema, deploys the modules, and stops all of it on SIGTERM/SIGINT.
 */
public final class Main {
  static final String LOG_APPENDER_PROPERTY = "gengate.log.appender";

  private Main() {}

  public static void main(String[] args) {
    AppConfig config;
    VertxOptions vertxOptions;
    try {
      config = AppConfig.parse(ConfigLoader.load(configFile(args), System.getenv()));
      vertxOptions = VertxConfig.from(new ConfigReader(config.json())).options();
    } catch (ConfigException e) {
      System.err.println("gengate: " + e.getMessage());
      System.exit(2);
      return;
    }
    System.setProperty(LOG_APPENDER_PROPERTY, logAppender(config));
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    Logger log = LoggerFactory.getLogger(Main.class);
    try {
      run(withAdminToken(config), vertxOptions, log);
    } catch (RuntimeException e) {
      log.error("gengate could not start: {}", e.toString(), e);
      System.exit(1);
    }
  }

  private static void run(AppConfig config, VertxOptions vertxOptions, Logger log) {
    long started = System.nanoTime();
    EmbeddedServices services = EmbeddedServices.start(config);
    AppConfig resolved = services.config();
    String schemaVersion = Migrations.migrate(resolved.db().url());
    Vertx vertx = Metrics.newVertx(vertxOptions);
    Readiness.migrated(vertx, schemaVersion);
    List<String> deployments;
    try {
      deployments = Gengate.deploy(vertx, resolved).await(60, TimeUnit.SECONDS);
      Readiness.deployed(vertx, deployments);
    } catch (Exception e) {
      services.close();
      throw new IllegalStateException("deployment failed: " + e.getMessage(), e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(vertx, deployments, services, log), "gengate-stop"));
    // SIGTERM is the normal way to stop a service: exit 0 after the graceful stop, not 143.
    Signal.handle(new Signal("TERM"), signal -> System.exit(0));
    log.info("gengate listening on http://{}:{} (started in {} ms)", resolved.http().host(), resolved.http().port(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  /**
   * Graceful stop, in reverse deployment order: the HTTP edge first (no new requests, in-flight ones finish
   * within http.shutdownGrace), then execution (unfinished work is handed back for another instance), then the
   * owners of PostgreSQL and Redis, then the embedded servers.
   */
  private static void stop(Vertx vertx, List<String> deployments, EmbeddedServices services, Logger log) {
    log.info("gengate stopping");
    for (int i = deployments.size() - 1; i >= 0; i--) {
      try {
        vertx.undeploy(deployments.get(i)).await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("a module did not stop cleanly: {}", e.toString());
      }
    }
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Vert.x did not stop cleanly: {}", e.toString());
    }
    services.close();
    log.info("gengate stopped");
  }

  /** The logback appender (see logback.xml) that {@code log.format} selects: TEXT or JSON. */
  static String logAppender(AppConfig config) {
    return config.jsonLogs() ? "JSON" : "TEXT";
  }

  /** An empty admin token is replaced by a random one, printed once so the operator can use it. */
  private static AppConfig withAdminToken(AppConfig config) {
    if (!config.http().adminToken().isBlank()) {
      return config;
    }
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    String token = "adm_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    System.out.println("gengate: admin.token is not set; the admin token for this run is: " + token);
    return config.with("admin", "token", token);
  }

  private static Path configFile(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--conf") && i + 1 < args.length) {
        return Path.of(args[i + 1]);
      }
      if (args[i].startsWith("--conf=")) {
        return Path.of(args[i].substring("--conf=".length()));
      }
    }
    return null;
  }

}
