package dev.gengate.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark's settings: each from {@code --name value} (or {@code --name=value}), else from the environment
 * variable {@code BENCH_NAME}, else a default.
 */
record BenchOptions(
    String target, Duration duration, Duration warmup, int connections, int users, String model, Duration drain,
    Path jar, String serviceJavaOpts, Path outDir) {

  static final String USAGE = """
      usage: scripts/bench [--target generations|me] [--duration 30s] [--warmup 5s] [--connections 64]
                           [--users N] [--model demo] [--drain 120s] [--jar target/gengate.jar]
                           [--service-java-opts "-Xmx1g"] [--out target/bench]
        --target       generations: POST /v1/generations (default); me: GET /v1/me (works on any build)
        --duration     measured time; --warmup runs the same load first and is not counted
        --connections  concurrent connections, each sending its next request when the last one is answered
        --users        users the load is spread over (default: one per connection), each with plenty of credits
        --drain        how long to wait after the load for generations still pending or processing
      Every option can also be given as an environment variable BENCH_<OPTION> (e.g. BENCH_DURATION=60s).
      The service runs on embedded PostgreSQL and Redis unless GENGATE_DB_URL / GENGATE_REDIS_URL are set.
      """;

  static BenchOptions parse(String[] args, Map<String, String> env) {
    Map<String, String> given = new java.util.HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("-h") || arg.equals("--help")) {
        throw new IllegalArgumentException("");
      }
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument: " + arg);
      }
      int eq = arg.indexOf('=');
      if (eq > 0) {
        given.put(arg.substring(2, eq), arg.substring(eq + 1));
      } else if (i + 1 < args.length) {
        given.put(arg.substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("missing value for " + arg);
      }
    }
    Lookup get = (name, fallback) -> {
      String value = given.remove(name);
      if (value == null) {
        value = env.get("BENCH_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
      }
      return value == null || value.isBlank() ? fallback : value.trim();
    };
    String target = get.value("target", "generations");
    if (!target.equals("generations") && !target.equals("me")) {
      throw new IllegalArgumentException("--target must be generations or me, got " + target);
    }
    int connections = positive("connections", get.value("connections", "64"));
    BenchOptions options = new BenchOptions(
        target,
        duration("duration", get.value("duration", "30s")),
        duration("warmup", get.value("warmup", "5s")),
        connections,
        positive("users", get.value("users", Integer.toString(connections))),
        get.value("model", "demo"),
        duration("drain", get.value("drain", "120s")),
        Path.of(get.value("jar", "target/gengate.jar")),
        get.value("service-java-opts", ""),
        Path.of(get.value("out", "target/bench")));
    if (!given.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s): " + given.keySet());
    }
    return options;
  }

  private interface Lookup {
    String value(String name, String fallback);
  }

  private static int positive(String name, String value) {
    try {
      int number = Integer.parseInt(value);
      if (number > 0) {
        return number;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException("--" + name + " must be a positive whole number, got " + value);
  }

  /** 30s, 1500ms, 2m, or a bare number of seconds. */
  static Duration duration(String name, String value) {
    String v = value.toLowerCase(Locale.ROOT);
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      if (v.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      if (v.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      return Duration.ofSeconds(Long.parseLong(v));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a duration like 30s, got " + value);
    }
  }
}
