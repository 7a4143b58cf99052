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

  /** Null for no cursor; a VALIDATION_ERROR for anything this API did not hand out. */
  static GenerationCursor parse(String raw) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(raw), StandardCharsets.US_ASCII).split("\\.");
      if (parts.length == 4 && parts[0].equals(VERSION)) {
        Instant at = Instant.ofEpochSecond(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        return new GenerationCursor(at.atOffset(ZoneOffset.UTC), UUID.fromString(parts[3]));
      }
    } catch (IllegalArgumentException | java.time.DateTimeException e) {
      // reported below
    }
    throw AppError.validation("cursor", "is not a cursor this API returned");
  }
}
