package dev.gengate.http;

import dev.gengate.common.AppError;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * Strict reading of a JSON request body: it must be an object, fields must have the right type, unknown
 * fields are refused (a typo should not be silently ignored). Every problem is a VALIDATION_ERROR naming the
 * field.
 */
public final class JsonBody {
  private final JsonObject json;

  private JsonBody(JsonObject json) {
    this.json = json;
  }

  /** The body as an object; an empty body counts as {@code {}} only when {@code emptyAllowed}. */
  public static JsonBody of(RoutingContext ctx, Set<String> allowedFields, boolean emptyAllowed) {
    String text = ctx.body() == null ? null : ctx.body().asString();
    if (text == null || text.isBlank()) {
      if (emptyAllowed) {
        return new JsonBody(new JsonObject());
      }
      throw AppError.validation("body", "must be a JSON object");
    }
    Object parsed;
    try {
      parsed = io.vertx.core.json.Json.decodeValue(text);
    } catch (DecodeException e) {
      throw AppError.validation("body", "is not valid JSON");
    }
    if (!(parsed instanceof JsonObject object)) {
      throw AppError.validation("body", "must be a JSON object");
    }
    for (String field : object.fieldNames()) {
      if (!allowedFields.contains(field)) {
        throw AppError.validation(field, "is not a known field");
      }
    }
    return new JsonBody(object);
  }

  public JsonObject json() {
    return json;
  }

  public boolean has(String field) {
    return json.getValue(field) != null;
  }

  public String string(String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw AppError.validation(field, "must be a string");
    }
    if (s.indexOf('\u0000') >= 0) {
      throw AppError.validation(field, "must not contain NUL characters"); // PostgreSQL text cannot hold them
    }
    return s;
  }

  /** A whole number that fits a long; {@code 5.0} is refused as well as {@code "5"}. */
  public Long integer(String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Integer || value instanceof Long)) {
      throw AppError.validation(field, "must be a whole number");
    }
    return ((Number) value).longValue();
  }

  public Boolean bool(String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Boolean b)) {
      throw AppError.validation(field, "must be true or false");
    }
    return b;
  }

  public JsonObject object(String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject o)) {
      throw AppError.validation(field, "must be a JSON object");
    }
    return o;
  }
}
