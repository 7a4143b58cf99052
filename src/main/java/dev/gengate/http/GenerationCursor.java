package dev.gengate.http;

import dev.gengate.common.AppError;
import dev.gengate.ledger.LedgerApi.GenerationView;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;

/**
 * The opaque cursor of {@code GET /v1/generations}: the (created_at, id) of the last item of a page, so the next
 * page starts strictly after it whatever is inserted meanwhile.
 */
record GenerationCursor(OffsetDateTime createdAt, UUID id) {
  private static final String VERSION = "g1";

  static String after(GenerationView last) {
    Instant at = last.createdAt().toInstant();
    String plain = VERSION + "." + at.getEpochSecond() + "." + at.getNano() + "." + last.id();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
  }

  private static final long MAX_EPOCH_SECOND = 253_402_300_799L; // 9999-12-31T23:59:59Z

  /** Null for no cursor; a VALIDATION_ERROR for anything this API did not hand out. */
  static GenerationCursor parse(String raw) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(raw), StandardCharsets.US_ASCII).split("\\.");
      long seconds = parts.length == 4 ? Long.parseLong(parts[1]) : -1;
      long nanos = parts.length == 4 ? Long.parseLong(parts[2]) : -1;
      // Within what PostgreSQL's timestamptz holds (years 1970..9999): a forged cursor cannot overflow anything.
      boolean inRange = seconds >= 0 && seconds <= MAX_EPOCH_SECOND && nanos >= 0 && nanos < 1_000_000_000;
      if (parts[0].equals(VERSION) && inRange) {
        Instant at = Instant.ofEpochSecond(seconds, nanos);
        return new GenerationCursor(at.atOffset(ZoneOffset.UTC), UUID.fromString(parts[3]));
      }
    } catch (IllegalArgumentException | ArithmeticException | java.time.DateTimeException e) {
      // reported below
    }
    throw AppError.validation("cursor", "is not a cursor this API returned");
  }
}
