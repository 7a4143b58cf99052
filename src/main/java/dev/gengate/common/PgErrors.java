package dev.gengate.common;

import io.vertx.pgclient.PgException;

/** Recognizes PostgreSQL errors the services turn into answers rather than failures. */
public final class PgErrors {
  public static final String UNIQUE_VIOLATION = "23505";

  private PgErrors() {}

  public static boolean isUniqueViolation(Throwable failure) {
    return failure instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState());
  }

  /** True when a unique violation came from the named index or constraint. */
  public static boolean isUniqueViolation(Throwable failure, String constraint) {
    return isUniqueViolation(failure) && constraint.equals(((PgException) failure).getConstraint());
  }
}
