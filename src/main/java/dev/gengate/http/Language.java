package dev.gengate.http;

import io.vertx.ext.web.LanguageHeader;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/** The language of messages for people: Russian when Accept-Language prefers it, English otherwise. */
public enum Language {
  EN, RU;

  /** Never fails: a malformed Accept-Language means English (it is consulted while answering errors). */
  public static Language of(RoutingContext ctx) {
    try {
      return preferred(ctx);
    } catch (RuntimeException malformed) {
      return EN;
    }
  }

  private static Language preferred(RoutingContext ctx) {
    for (LanguageHeader header : ctx.acceptableLanguages()) {
      if (header.tag() == null) {
        continue;
      }
      String tag = header.tag().toLowerCase(Locale.ROOT);
      if (tag.equals("ru")) {
        return RU;
      }
      if (tag.equals("en")) {
        return EN;
      }
    }
    return EN;
  }

  public Locale locale() {
    return this == RU ? Locale.forLanguageTag("ru") : Locale.ENGLISH;
  }
}
