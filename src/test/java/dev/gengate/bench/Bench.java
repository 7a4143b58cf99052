package dev.gengate.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Load benchmark of a real gengate process (not a JUnit test: run it with {@code scripts/bench}). Starts the
 * service jar as a child process, creates users with plenty of credits, drives {@code POST /v1/generations}
 * (or {@code GET /v1/me} with {@code --target me}) from a closed-loop load generator, then reports accepted
 * requests per second, create latency percentiles, errors by code, how fast generations completed (counted in
 * PostgreSQL), the peak memory of the service and the core count.
 */
public final class Bench {
  private static final long CREDITS = 1_000_000_000L;

  private Bench() {}

  public static void main(String[] args) throws Exception {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      if (!e.getMessage().isEmpty()) {
        System.err.println("bench: " + e.getMessage());
      }
      System.err.print(BenchOptions.USAGE);
      System.exit(e.getMessage().isEmpty() ? 0 : 2);
      return;
    }
    int code;
    try (BenchedService service = BenchedService.start(options, System.getenv())) {
      code = run(options, service);
    }
    System.exit(code);
  }

  private static int run(BenchOptions options, BenchedService service) throws Exception {
    String store = System.getenv().getOrDefault("GENGATE_DB_URL", "").isBlank() ? "embedded" : "external";
    say("starting the service (pid %d, port %d, %s PostgreSQL/Redis; log: %s)", service.pid(), service.port(),
        store, service.log());
    long startedAt = System.nanoTime();
    service.awaitReady(Duration.ofMinutes(3));
    say("ready after %.1f s; creating %d users", (System.nanoTime() - startedAt) / 1e9, options.users());

    List<String> userIds = new ArrayList<>();
    List<String> apiKeys = new ArrayList<>();
    HttpClient admin = HttpClient.newHttpClient();
    for (int i = 0; i < options.users(); i++) {
      HttpResponse<String> created = admin.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/v1/admin/users"))
          .header("Authorization", "Bearer " + service.adminToken())
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("credits", CREDITS).encode()))
          .build(), HttpResponse.BodyHandlers.ofString());
      if (created.statusCode() != 201) {
        throw new IllegalStateException("creating a user answered " + created.statusCode() + " " + created.body());
      }
      JsonObject json = new JsonObject(created.body());
      userIds.add(json.getJsonObject("user").getString("id"));
      apiKeys.add(json.getString("apiKey"));
    }

    boolean generations = options.target().equals("generations");
    LoadGenerator.Target target = generations
        ? new LoadGenerator.Target(HttpMethod.POST, "/v1/generations", 202, true)
        : new LoadGenerator.Target(HttpMethod.GET, "/v1/me", 200, false);
    say("load: %s %s, %d connections, %d s warm-up + %d s measured", target.method(), target.path(),
        options.connections(), options.warmup().toSeconds(), options.duration().toSeconds());

    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    LoadGenerator.Result result;
    Timestamp[] window = new Timestamp[2];
    try {
      LoadGenerator load = new LoadGenerator(vertx, service.port(), options.connections(), target, apiKeys,
          options.model());
      // The measured window in the database's clock, for counting completions in it.
      Thread clock = dbClockAt(service, options.warmup(), window, 0);
      Thread clockEnd = dbClockAt(service, options.warmup().plus(options.duration()), window, 1);
      result = load.run(options.connections(), options.warmup(), options.duration())
          .await(options.warmup().plus(options.duration()).toSeconds() + 120, TimeUnit.SECONDS);
      clock.join();
      clockEnd.join();
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }

    JsonObject report = new JsonObject()
        .put("target", options.target())
        .put("connections", options.connections())
        .put("users", options.users())
        .put("durationSeconds", options.duration().toSeconds())
        .put("cores", Runtime.getRuntime().availableProcessors())
        .put("store", store)
        .put("okPerSecond", round(result.okPerSecond()))
        .put("ok", result.ok())
        .put("latencyMs", new JsonObject()
            .put("p50", result.percentileMicros(50) / 1000.0)
            .put("p95", result.percentileMicros(95) / 1000.0)
            .put("p99", result.percentileMicros(99) / 1000.0)
            .put("max", result.percentileMicros(100) / 1000.0))
        .put("errors", new JsonObject(Map.copyOf(result.errors())));
    if (generations) {
      report.put("generations", completions(service, userIds, window, options.drain()));
      report.put("ledgerCheck", ledgerCheck(service));
    }
    report.put("peakRssMiB", new JsonObject()
        .put("service", service.peakRssKb() / 1024)
        .put("embeddedStores", store.equals("embedded") ? service.peakChildrenRssKb() / 1024 : null));

    print(report, generations);
    Files.createDirectories(options.outDir());
    Files.writeString(options.outDir().resolve("result.json"), report.encodePrettily());
    say("result also written to %s", options.outDir().resolve("result.json"));
    return 0;
  }

  /** Reads the database clock at {@code after} from now into {@code window[index]} (null if the DB is unreachable). */
  private static Thread dbClockAt(BenchedService service, Duration after, Timestamp[] window, int index) {
    Thread thread = new Thread(() -> {
      try {
        Thread.sleep(after.toMillis());
        try (Connection connection = service.jdbc();
            ResultSet now = connection.createStatement().executeQuery("SELECT now()")) {
          now.next();
          window[index] = now.getTimestamp(1);
        }
      } catch (SQLException | InterruptedException e) {
        window[index] = null;
      }
    }, "db-clock");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /** Waits for the bench users' generations to leave pending/processing, then counts them by status. */
  private static JsonObject completions(BenchedService service, List<String> userIds, Timestamp[] window,
      Duration drain) {
    JsonObject out = new JsonObject();
    try (Connection connection = service.jdbc()) {
      Array users = connection.createArrayOf("uuid", userIds.stream().map(UUID::fromString).toArray());
      long drainStart = System.nanoTime();
      long active;
      do {
        active = scalar(connection, "SELECT count(*) FROM generations WHERE user_id = ANY(?)"
            + " AND status IN ('pending', 'processing')", users);
        if (active > 0) {
          Thread.sleep(500);
        }
      } while (active > 0 && System.nanoTime() - drainStart < drain.toNanos());
      out.put("drainSeconds", round((System.nanoTime() - drainStart) / 1e9)).put("stillActive", active);
      try (PreparedStatement byStatus = connection.prepareStatement(
          "SELECT status, count(*) FROM generations WHERE user_id = ANY(?) GROUP BY status")) {
        byStatus.setArray(1, users);
        JsonObject statuses = new JsonObject();
        try (ResultSet rows = byStatus.executeQuery()) {
          while (rows.next()) {
            statuses.put(rows.getString(1), rows.getLong(2));
          }
        }
        out.put("byStatus", statuses);
      }
      if (window[0] != null && window[1] != null) {
        try (PreparedStatement inWindow = connection.prepareStatement(
            "SELECT count(*) FROM generations WHERE user_id = ANY(?) AND status = 'completed'"
                + " AND finished_at >= ? AND finished_at < ?")) {
          inWindow.setArray(1, users);
          inWindow.setTimestamp(2, window[0]);
          inWindow.setTimestamp(3, window[1]);
          try (ResultSet rows = inWindow.executeQuery()) {
            rows.next();
            double seconds = (window[1].getTime() - window[0].getTime()) / 1000.0;
            out.put("completedInWindow", rows.getLong(1))
                .put("completedPerSecond", round(rows.getLong(1) / seconds));
          }
        }
      }
    } catch (SQLException e) {
      out.put("error", "could not count in PostgreSQL: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  private static long scalar(Connection connection, String sql, Array users) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setArray(1, users);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  /** {@code GET /v1/admin/ledger/check}: the number of invariant violations, or why it could not tell. */
  private static Object ledgerCheck(BenchedService service) {
    try {
      HttpResponse<String> reply = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(service.baseUrl() + "/v1/admin/ledger/check"))
              .header("Authorization", "Bearer " + service.adminToken()).timeout(Duration.ofMinutes(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (reply.statusCode() != 200) {
        return "not available (" + reply.statusCode() + ")";
      }
      return new JsonObject(reply.body()).getJsonArray("violations").size();
    } catch (IOException | RuntimeException e) {
      return "not available (" + e + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static void print(JsonObject report, boolean generations) {
    JsonObject latency = report.getJsonObject("latencyMs");
    System.out.println();
    System.out.println("== gengate benchmark ==");
    System.out.printf("target               %s, %d connections, %d users, %d s measured, %s stores%n",
        report.getString("target"), report.getInteger("connections"), report.getInteger("users"),
        report.getLong("durationSeconds"), report.getString("store"));
    System.out.printf("cores                %d%n", report.getInteger("cores"));
    System.out.printf("%-20s %.1f/s (%d)%n", generations ? "accepted creates" : "ok requests",
        report.getDouble("okPerSecond"), report.getLong("ok"));
    if (report.getLong("ok") == 0) {
      System.out.println("latency              n/a (no successful request)");
    } else {
      System.out.printf("latency              p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms%n",
          latency.getDouble("p50"), latency.getDouble("p95"), latency.getDouble("p99"), latency.getDouble("max"));
    }
    JsonObject errors = report.getJsonObject("errors");
    System.out.printf("errors               %s%n", errors.isEmpty() ? "none" : errors.encode());
    if (generations) {
      JsonObject g = report.getJsonObject("generations");
      if (g.containsKey("error")) {
        System.out.printf("generations          %s%n", g.getString("error"));
      } else {
        System.out.printf("completed            %s/s during the measured window (%s)%n",
            g.getValue("completedPerSecond", "?"), g.getValue("completedInWindow", "?"));
        System.out.printf("after the load       %s, %s still active after %.1f s drain%n",
            g.getJsonObject("byStatus").encode(), g.getLong("stillActive"), g.getDouble("drainSeconds"));
      }
      Object check = report.getValue("ledgerCheck");
      System.out.printf("ledger check         %s%n", check instanceof Number ? check + " violation(s)" : check);
    }
    JsonObject rss = report.getJsonObject("peakRssMiB");
    System.out.printf("peak RSS             service JVM %d MiB%s%n", rss.getLong("service"),
        rss.getValue("embeddedStores") == null ? ""
            : String.format(", embedded PostgreSQL+Redis %d MiB (sum, sampled)", rss.getLong("embeddedStores")));
  }

  private static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }

  private static void say(String format, Object... args) {
    System.out.printf("bench: " + format + "%n", args);
  }
}
