package dev.gengate.testing;

import dev.gengate.EmbeddedServices;
import dev.gengate.Main;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real service as a separate JVM ({@code dev.gengate.Main}) against the shared test PostgreSQL and Redis,
 * configured through {@code GENGATE_*} environment variables like an operator would. For crash, restart and
 * multi-instance tests: {@link #kill()} is SIGKILL, {@link #terminate()} is SIGTERM.
 */
public final class ServiceProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Map<String, String> env;
  private final int port;
  private final Path log;
  private Process process;

  private ServiceProcess(Map<String, String> env, int port, Path log) {
    this.env = env;
    this.port = port;
    this.log = log;
  }

  /** Starts an instance on a free port and waits until /health/ready answers 200. */
  public static ServiceProcess start(Map<String, String> overrides) throws IOException, InterruptedException {
    TestInfra infra = TestInfra.get();
    int port = EmbeddedServices.freePort();
    Map<String, String> env = new HashMap<>();
    env.put("GENGATE_DB_URL", infra.postgresUrl());
    env.put("GENGATE_REDIS_URL", infra.redisUrl());
    env.put("GENGATE_ADMIN_TOKEN", TestService.ADMIN_TOKEN);
    env.put("GENGATE_HTTP_HOST", "127.0.0.1");
    env.put("GENGATE_HTTP_PORT", Integer.toString(port));
    env.putAll(overrides);
    ServiceProcess service = new ServiceProcess(env, port, Files.createTempFile("gengate-service-" + port, ".log"));
    service.launch();
    return service;
  }

  /** Starts the same instance again (same port and settings) after a kill or a stop. */
  public void restart() throws IOException, InterruptedException {
    launch();
  }

  private void launch() throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        Main.class.getName())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().keySet().removeIf(name -> name.startsWith("GENGATE_"));
    builder.environment().putAll(env);
    process = builder.start();
    awaitReady(Duration.ofSeconds(60));
  }

  private void awaitReady(Duration limit) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("service exited with " + process.exitValue() + "; log: " + tail());
      }
      try {
        HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/health/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (ready.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("service not ready within " + limit + "; log: " + tail());
  }

  public int port() {
    return port;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL: the process dies at whatever instruction it is on, no shutdown hook runs. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then waits for the process to exit; returns its exit code. */
  public int terminate(Duration limit) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("service did not exit within " + limit + " of SIGTERM; log: " + tail());
    }
    return process.exitValue();
  }

  /** The last lines of the instance's output, for failure messages. */
  public String tail() {
    try {
      String text = Files.readString(log);
      return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  public File logFile() {
    return log.toFile();
  }

  @Override
  public void close() throws InterruptedException {
    if (alive()) {
      kill();
    }
  }
}
