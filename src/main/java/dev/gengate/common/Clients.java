package dev.gengate.common;

import dev.gengate.common.config.DbConfig;
import dev.gengate.common.config.RedisConfig;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/**
 * Builds the PostgreSQL pool and the Redis client. The pool is shared by name, so every verticle instance of
 * one process draws from the same {@code db.poolSize} connections.
 */
public final class Clients {
  private static final String SHARED_POOL = "gengate-pg";
  /** A Redis that does not accept a connection within this is as good as down (callers bound each command too). */
  private static final int REDIS_CONNECT_TIMEOUT_MS = 1_000;

  private Clients() {}

  public static Pool postgres(Vertx vertx, DbConfig db) {
    PgConnectOptions connect = PgConnectOptions.fromUri(db.url().toString())
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256);
    PoolOptions pool = new PoolOptions()
        .setMaxSize(db.poolSize())
        .setShared(true)
        .setName(SHARED_POOL)
        .setMaxWaitQueueSize(10_000);
    return PgBuilder.pool().with(pool).connectingTo(connect).using(vertx).build();
  }

  /** A pooled Redis client: each command takes a live connection, so it recovers by itself after an outage. */
  public static Redis redis(Vertx vertx, RedisConfig redis) {
    RedisOptions options = new RedisOptions()
        .setType(RedisClientType.STANDALONE)
        .setConnectionString(redis.url().toString())
        .setMaxPoolSize(redis.poolSize())
        .setMaxPoolWaiting(10_000)
        .setMaxWaitingHandlers(10_000);
    options.getNetClientOptions().setConnectTimeout(REDIS_CONNECT_TIMEOUT_MS);
    return Redis.createClient(vertx, options);
  }
}
