package dev.gengate.common;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.shareddata.LocalMap;
import java.util.List;

/**
 * Start-up facts that {@code /health/ready} reports, kept in a local map of the Vert.x instance so that every
 * HTTP verticle sees them: the schema version once migrations are done, and the deployment ids once every module
 * is deployed. Readiness also checks that those deployments are still there.
 */
public final class Readiness {
  private static final String MAP = "gengate.readiness";
  private static final String SCHEMA_VERSION = "schemaVersion";
  private static final String DEPLOYMENTS = "deployments";

  private Readiness() {}

  /** Migrations are done: the database schema is at {@code schemaVersion}. */
  public static void migrated(Vertx vertx, String schemaVersion) {
    map(vertx).put(SCHEMA_VERSION, schemaVersion);
  }

  /** Every module is deployed, with these deployment ids. */
  public static void deployed(Vertx vertx, List<String> deploymentIds) {
    map(vertx).put(DEPLOYMENTS, new JsonArray(List.copyOf(deploymentIds)));
  }

  /** The schema version recorded by {@link #migrated}, or null while migrations have not been done. */
  public static String schemaVersion(Vertx vertx) {
    return (String) map(vertx).get(SCHEMA_VERSION);
  }

  /** The deployment ids recorded by {@link #deployed}, or an empty list while deployment is not finished. */
  public static List<String> deployments(Vertx vertx) {
    Object ids = map(vertx).get(DEPLOYMENTS);
    if (!(ids instanceof JsonArray array)) {
      return List.of();
    }
    return array.stream().map(Object::toString).toList();
  }

  /** The recorded deployments that are no longer deployed (undeployed, or their start failed later). */
  public static List<String> missingDeployments(Vertx vertx) {
    return deployments(vertx).stream().filter(id -> !vertx.deploymentIDs().contains(id)).toList();
  }

  private static LocalMap<String, Object> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }
}
