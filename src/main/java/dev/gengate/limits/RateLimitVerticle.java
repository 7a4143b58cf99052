package dev.gengate.limits;

import dev.gengate.common.Bus;
import dev.gengate.common.Clients;
import dev.gengate.common.config.ConfigReader;
import dev.gengate.common.config.RedisConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.util.List;

/** Owns Redis: per-user sliding-window rate limits. Deployed with the {@code redis} and {@code limits} sections. */
public final class RateLimitVerticle extends VerticleBase {
  private Redis redis;

  @Override
  public Future<?> start() {
    ConfigReader root = new ConfigReader(config());
    redis = Clients.redis(vertx, RedisConfig.from(root.section("redis")));
    RedisAPI api = RedisAPI.api(redis);
    Bus.registerCodecs(vertx, LimitsApi.MESSAGE_TYPES);
    return Bus.serve(vertx, LimitsApi.PING, (Object ignored) -> api.ping(List.of()).map("ok")).completion();
  }

  @Override
  public Future<?> stop() {
    if (redis != null) {
      redis.close();
    }
    return Future.succeededFuture();
  }
}
