package dev.gengate.notify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The texts users read, in both languages. */
class NotificationMessagesTest {

  @Test
  void failedMessageStatesReasonAndRefundInRussian() {
    String text = Messages.render("ru", NotificationEvent.FAILED,
        NotificationPayload.failed("demo", "рыжая лиса", "PROVIDER_ERROR", 5));
    assertThat(text).isEqualTo(
        "❌ Генерация «рыжая лиса» не удалась: сервис генерации вернул ошибку. 5 💎 возвращены на баланс.");
  }

  @Test
  void failedMessageStatesReasonAndRefundInEnglish() {
    String text = Messages.render("en", NotificationEvent.FAILED,
        NotificationPayload.failed("demo", null, "TIMEOUT", 3));
    assertThat(text).isEqualTo("❌ Your generation failed: it did not finish in time. 3 💎 returned to your balance.");
  }

  @Test
  void cancelledMessageStatesTheRefund() {
    assertThat(Messages.render("en", NotificationEvent.CANCELLED, NotificationPayload.cancelled("demo", "a fox", 2)))
        .isEqualTo("🚫 Your generation “a fox” was cancelled. 2 💎 returned to your balance.");
    assertThat(Messages.render("ru", NotificationEvent.CANCELLED, NotificationPayload.cancelled("demo", null, 2)))
        .isEqualTo("🚫 Генерация отменена. 2 💎 возвращены на баланс.");
  }

  @Test
  void completedMessageCarriesTheImageLink() {
    assertThat(Messages.render("en", NotificationEvent.COMPLETED,
            NotificationPayload.completed("demo", "a fox", "https://img.example/g/0.png")))
        .isEqualTo("✅ Your generation “a fox” is ready (model demo): https://img.example/g/0.png");
    assertThat(Messages.render("ru", NotificationEvent.COMPLETED, NotificationPayload.completed("demo", null, null)))
        .isEqualTo("✅ Генерация готова (модель demo).");
  }

  @Test
  void startedMessageNamesTheModel() {
    assertThat(Messages.render("ru", NotificationEvent.STARTED, NotificationPayload.started("sdxl", null)))
        .isEqualTo("⏳ Генерация началась (модель sdxl).");
    assertThat(Messages.render("en", NotificationEvent.STARTED, NotificationPayload.started("sdxl", null)))
        .isEqualTo("⏳ Your generation has started (model sdxl).");
  }

  @Test
  void noRefundIsNotAnnouncedAndUnknownReasonsReadAsGeneric() {
    assertThat(Messages.render("en", NotificationEvent.FAILED, NotificationPayload.failed("demo", null, "WHATEVER", 0)))
        .isEqualTo("❌ Your generation failed: something went wrong.");
  }

  @Test
  void longPromptsAreShortenedToOneLine() {
    String prompt = "a very\nlong prompt " + "x".repeat(200);
    String text = Messages.render("en", NotificationEvent.STARTED, NotificationPayload.started("demo", prompt));
    assertThat(text).startsWith("⏳ Your generation “a very long prompt xxx").contains("…”").doesNotContain("\n");
    assertThat(text.length()).isLessThan(120);
  }

  @Test
  void unknownLanguageFallsBackToEnglish() {
    assertThat(Messages.render("de", NotificationEvent.STARTED, NotificationPayload.started("demo", null)))
        .isEqualTo("⏳ Your generation has started (model demo).");
  }
}
