package dev.gengate.common.config;

import java.net.URI;
import java.util.Set;

/** {@code redis.*}: where Redis is. A null url means "start the embedded one". */
public record RedisConfig(URI url, int embeddedPort, int poolSize) {
  public static RedisConfig from(ConfigReader redis) {
    return new RedisConfig(
        redis.url("url", Set.of("redis", "rediss")),
        redis.intValue("embeddedPort", 0, 0, 65535),
        redis.intValue("poolSize", 8, 1, 1000));
  }

  public boolean embedded() {
    return url == null;
  }
}
