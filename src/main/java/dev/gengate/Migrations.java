package dev.gengate;

import java.net.URI;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Brings the schema up to date with Flyway over JDBC. Blocking: run it before deploying, off any event loop. */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  /** Returns the schema version now in the database (the latest migration applied). */
  public static String migrate(URI postgresUrl) {
    JdbcTarget target = JdbcTarget.of(postgresUrl);
    Flyway flyway = Flyway.configure()
        .dataSource(target.jdbcUrl(), target.user(), target.password())
        .locations("classpath:db/migration")
        .connectRetries(10)
        .load();
    int applied = flyway.migrate().migrationsExecuted;
    var current = flyway.info().current();
    String version = current == null || current.getVersion() == null ? "none" : current.getVersion().getVersion();
    LOG.info("database schema up to date at version {} ({} migration(s) applied now)", version, applied);
    return version;
  }

  /** The JDBC form of a {@code postgresql://user:pass@host:port/db?params} URL. */
  public record JdbcTarget(String jdbcUrl, String user, String password) {
    public static JdbcTarget of(URI uri) {
      String user = null;
      String password = null;
      if (uri.getUserInfo() != null) {
        String[] parts = uri.getUserInfo().split(":", 2);
        user = parts[0];
        password = parts.length > 1 ? parts[1] : null;
      }
      int port = uri.getPort() > 0 ? uri.getPort() : 5432;
      String path = uri.getPath() == null || uri.getPath().length() <= 1 ? "/postgres" : uri.getPath();
      String query = uri.getQuery() == null ? "" : "?" + uri.getQuery();
      return new JdbcTarget("jdbc:postgresql://" + uri.getHost() + ":" + port + path + query, user, password);
    }
  }
}
