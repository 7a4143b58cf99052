package dev.gengate.bench;

import dev.gengate.EmbeddedServices;
import dev.gengate.Migrations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The service under test, as a child process started from the jar: configured through {@code GENGATE_*}
 * environment variables (zero-delay demo model, limits out of the way, a known admin token and port), on embedded
 * PostgreSQL and Redis unless {@code GENGATE_DB_URL} / {@code GENGATE_REDIS_URL} are set. Samples the memory of
 * the process and of its children (the embedded stores) while it runs.
 */
final class BenchedService implements AutoCloseable {
  private final Process process;
  private final int port;
  private final String adminToken;
  private final String jdbcUrl;
  private final String jdbcUser;
  private final String jdbcPassword;
  private final Path dataDir;
  private final Path log;
  private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "rss-sampler");
    thread.setDaemon(true);
    return thread;
  });
  private final AtomicLong peakChildrenRssKb = new AtomicLong();
  private final AtomicLong peakRssKb = new AtomicLong();

  private BenchedService(Process process, int port, String adminToken, String[] jdbc, Path dataDir, Path log) {
    this.process = process;
    this.port = port;
    this.adminToken = adminToken;
    this.jdbcUrl = jdbc[0];
    this.jdbcUser = jdbc[1];
    this.jdbcPassword = jdbc[2];
    this.dataDir = dataDir;
    this.log = log;
    sampler.scheduleAtFixedRate(this::sample, 0, 500, TimeUnit.MILLISECONDS);
  }

  static BenchedService start(BenchOptions options, Map<String, String> env) throws IOException {
    if (!Files.isReadable(options.jar())) {
      throw new IllegalStateException(options.jar() + " not found: build it with mvn -DskipTests package");
    }
    Files.createDirectories(options.outDir());
    int port = EmbeddedServices.freePort();
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    String adminToken = "bench-" + HexFormat.of().formatHex(random);

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (!options.serviceJavaOpts().isBlank()) {
      command.addAll(List.of(options.serviceJavaOpts().trim().split("\\s+")));
    }
    command.addAll(List.of("-jar", options.jar().toString()));
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> childEnv = builder.environment();
    childEnv.put("GENGATE_HTTP_HOST", "127.0.0.1");
    childEnv.put("GENGATE_HTTP_PORT", Integer.toString(port));
    childEnv.put("GENGATE_ADMIN_TOKEN", adminToken);
    childEnv.put("GENGATE_MODELS_" + options.model().toUpperCase().replace('-', '_') + "_DELAY", "0ms");
    for (String tier : List.of("FREE", "PREMIUM")) {
      childEnv.put("GENGATE_LIMITS_" + tier + "_PERMINUTE", "1000000");
      childEnv.put("GENGATE_LIMITS_" + tier + "_MAXACTIVE", "100000");
    }
    Path dataDir = null;
    String[] jdbc;
    String dbUrl = env.getOrDefault("GENGATE_DB_URL", "");
    if (dbUrl.isBlank()) {
      dataDir = Files.createTempDirectory(options.outDir().toAbsolutePath(), "pgdata-");
      int pgPort = EmbeddedServices.freePort();
      childEnv.put("GENGATE_DB_DATADIR", dataDir.toString());
      childEnv.put("GENGATE_DB_EMBEDDEDPORT", Integer.toString(pgPort));
      jdbc = new String[] {"jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres", "postgres", "postgres"};
    } else {
      Migrations.JdbcTarget target = Migrations.JdbcTarget.of(URI.create(dbUrl));
      jdbc = new String[] {target.jdbcUrl(), target.user(), target.password()};
    }
    Path log = options.outDir().resolve("service.log");
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    Process process = builder.start();
    BenchedService service = new BenchedService(process, port, adminToken, jdbc, dataDir, log);
    Runtime.getRuntime().addShutdownHook(new Thread(service::close, "bench-stop-service"));
    return service;
  }

  /** Waits until {@code /health/ready} answers 200. */
  void awaitReady(Duration timeout) throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest ready = HttpRequest.newBuilder(URI.create(baseUrl() + "/health/ready"))
        .timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the service exited with " + process.exitValue() + "; see " + log);
      }
      try {
        if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the service was not ready within " + timeout.toSeconds() + " s; see " + log);
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  String adminToken() {
    return adminToken;
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  Connection jdbc() throws SQLException {
    return DriverManager.getConnection(jdbcUrl, jdbcUser, jdbcPassword);
  }

  /** Peak resident set of the service JVM (VmHWM), in KiB; 0 where /proc is not available. */
  long peakRssKb() {
    sample();
    return peakRssKb.get();
  }

  /** Largest sum of the resident sets of the service's child processes (embedded stores), sampled, in KiB. */
  long peakChildrenRssKb() {
    return peakChildrenRssKb.get();
  }

  private void sample() {
    if (!process.isAlive()) {
      return;
    }
    long hwm = procStatus(process.pid(), "VmHWM:");
    peakRssKb.accumulateAndGet(hwm, Math::max);
    long children = process.descendants().mapToLong(child -> procStatus(child.pid(), "VmRSS:")).sum();
    peakChildrenRssKb.accumulateAndGet(children, Math::max);
  }

  /** A {@code kB} field of /proc/PID/status, or 0. */
  private static long procStatus(long pid, String field) {
    try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(pid), "status"))) {
      return lines.filter(line -> line.startsWith(field))
          .map(line -> line.substring(field.length()).replace("kB", "").trim())
          .mapToLong(Long::parseLong).findFirst().orElse(0);
    } catch (IOException | UncheckedIOException | NumberFormatException e) {
      return 0;
    }
  }

  /** SIGTERM (the service stops its embedded stores), then SIGKILL if it does not exit within a minute. */
  @Override
  public synchronized void close() {
    sampler.shutdownNow();
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (dataDir != null && Files.exists(dataDir)) {
      try (Stream<Path> files = Files.walk(dataDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException | UncheckedIOException ignored) {
        // a leftover temp directory under the output directory
      }
    }
  }
}
