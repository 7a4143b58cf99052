package dev.gengate.http;

import dev.gengate.common.config.ConfigReader;
import java.time.Duration;

/** {@code http.*} and {@code admin.token}: how the HTTP edge listens and whom it lets into /v1/admin. */
public record HttpConfig(
    String host, int port, int instances, int bodyLimit, Duration busTimeout, Duration maxWait, Duration shutdownGrace,
    String adminToken) {

  public static HttpConfig from(ConfigReader root) {
    ConfigReader http = root.section("http");
    return new HttpConfig(
        http.string("host", "0.0.0.0"),
        http.intValue("port", 8080, 0, 65535),
        http.intValue("instances", 2, 1, 256),
        http.intValue("bodyLimit", 65536, 1024, 64 * 1024 * 1024),
        http.duration("busTimeout", Duration.ofSeconds(5), Duration.ofMillis(10)),
        http.duration("maxWait", Duration.ofSeconds(60), Duration.ZERO),
        http.duration("shutdownGrace", Duration.ofSeconds(10), Duration.ZERO),
        root.section("admin").string("token", ""));
  }
}
