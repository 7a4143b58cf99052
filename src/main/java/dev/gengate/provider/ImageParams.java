package dev.gengate.provider;

import dev.gengate.common.AppError;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code params} of a generation request, shared by all image providers: {@code n} images (1..4, default 1)
 * of {@code size} "WIDTHxHEIGHT" (each 64..2048; null = the provider's default). Unknown fields are refused.
 */
public record ImageParams(int n, Integer width, Integer height) {
  public static final int MAX_IMAGES = 4;
  public static final int MIN_SIDE = 64;
  public static final int MAX_SIDE = 2048;
  private static final Set<String> FIELDS = Set.of("n", "size");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");

  /** Validates {@code params}; every problem is a VALIDATION_ERROR naming {@code params.<field>}. */
  public static ImageParams parse(JsonObject params) {
    if (params == null) {
      return new ImageParams(1, null, null);
    }
    for (String field : params.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw AppError.validation("params." + field, "is not a known parameter (known: n, size)");
      }
    }
    int n = 1;
    Object rawN = params.getValue("n");
    if (rawN != null) {
      if (!(rawN instanceof Integer || rawN instanceof Long) || ((Number) rawN).longValue() < 1
          || ((Number) rawN).longValue() > MAX_IMAGES) {
        throw AppError.validation("params.n", "must be a whole number from 1 to " + MAX_IMAGES);
      }
      n = ((Number) rawN).intValue();
    }
    Object rawSize = params.getValue("size");
    if (rawSize == null) {
      return new ImageParams(n, null, null);
    }
    Matcher m = rawSize instanceof String s ? SIZE.matcher(s) : null;
    if (m == null || !m.matches()) {
      throw AppError.validation("params.size", "must look like \"512x512\"");
    }
    int width = Integer.parseInt(m.group(1));
    int height = Integer.parseInt(m.group(2));
    if (width < MIN_SIDE || width > MAX_SIDE || height < MIN_SIDE || height > MAX_SIDE) {
      throw AppError.validation("params.size", "sides must be from " + MIN_SIDE + " to " + MAX_SIDE + " pixels");
    }
    return new ImageParams(n, width, height);
  }

  /** "WIDTHxHEIGHT", or the fallback when no size was asked for. */
  public String size(String fallback) {
    return width == null ? fallback : width + "x" + height;
  }
}
