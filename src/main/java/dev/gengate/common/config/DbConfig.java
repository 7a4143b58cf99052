package dev.gengate.common.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Set;

/** {@code db.*}: where PostgreSQL is. A null url means "start the embedded one". */
public record DbConfig(URI url, Path dataDir, int embeddedPort, int poolSize) {
  public static DbConfig from(ConfigReader db) {
    return new DbConfig(
        db.url("url", Set.of("postgresql", "postgres")),
        Path.of(db.string("dataDir", "./data/postgres")),
        db.intValue("embeddedPort", 0, 0, 65535),
        db.intValue("poolSize", 16, 1, 1000));
  }

  public boolean embedded() {
    return url == null;
  }
}
