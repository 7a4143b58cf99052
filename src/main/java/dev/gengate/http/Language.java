package dev.gengate.http;

import io.vertx.ext.web.LanguageHeader;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/** The language of messages for people: Russian when Accept-Language prefers it, English otherwise. */
public enum Language {
  EN, RU;

  public static Language of(RoutingContext ctx) {
    for (LanguageHeader header : ctx.acceptableLanguages()) {
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
