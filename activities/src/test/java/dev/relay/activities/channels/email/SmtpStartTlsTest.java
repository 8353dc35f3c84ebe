package dev.relay.activities.channels.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.relay.activities.channels.FailureTable.Decision;
import dev.relay.activities.channels.ScriptedSmtpServer;
import dev.relay.activities.channels.ScriptedSmtpServer.Command;
import dev.relay.activities.channels.SelfSignedTls;
import dev.relay.activities.channels.SendFailure;
import dev.relay.activities.channels.email.EmailChannel.Email;
import dev.relay.activities.config.SmtpSettings;
import dev.relay.activities.config.SmtpSettings.Trust;
import dev.relay.contracts.Channel;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.store.payload.RenderedPayload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials only ever cross TLS: against a real SMTP peer that offers STARTTLS with a
 * self-signed certificate (trusted through the CA-file setting), one that offers no STARTTLS,
 * and one whose certificate is not trusted. The server records every line it is sent.
 */
class SmtpStartTlsTest {
  private static final String USER = "relay-user";
  private static final String PASSWORD = "s3cret-Pa55word";
  private static final Email EMAIL = new Email(new RenderedPayload("dlv-1", "EMAIL", "acme",
      "t", 1, "Subject", null, "Body", "sha"), List.of());
  private static final SendRequest REQUEST = new SendRequest("acme", "dlv-1", Channel.EMAIL,
      "dlv-1:EMAIL:1", 1, 1, "ann@example.test", null);

  @TempDir static Path dir;
  static SelfSignedTls cert;

  @BeforeAll
  static void makeCertificate() {
    cert = SelfSignedTls.create(dir, "smtp-test");
  }

  @Test
  void credentialsGoOverStartTlsWithAPrivateCa() throws Exception {
    try (ScriptedSmtpServer server = ScriptedSmtpServer.authenticating(cert.serverContext())) {
      SmtpProvider provider = new SmtpProvider(EmailChannel.PRIMARY,
          settings(server.port(), new Trust(cert.certificatePem().toString(), null)), "relay.test");

      assertThat(provider.send(REQUEST, EMAIL, false)).endsWith("@relay.test>");

      assertThat(server.messages()).hasSize(1);
      List<Command> plain = server.commands().stream().filter(c -> !c.tls()).toList();
      List<Command> secure = server.commands().stream().filter(Command::tls).toList();
      assertThat(plain).extracting(Command::line).map(SmtpStartTlsTest::verb)
          .containsExactly("EHLO", "STARTTLS");
      assertThat(secure).extracting(Command::line).map(SmtpStartTlsTest::verb)
          .contains("EHLO", "AUTH", "MAIL", "RCPT", "DATA");
      assertThat(secure).extracting(Command::line).anyMatch(SmtpStartTlsTest::carriesPassword);
      assertThat(plain).extracting(Command::line).noneMatch(SmtpStartTlsTest::carriesPassword);
    }
  }

  @Test
  void aRelayWithoutStartTlsNeverSeesTheCredentialsOrTheMessage() throws Exception {
    try (ScriptedSmtpServer server = ScriptedSmtpServer.authenticating(null)) {
      SmtpProvider provider = new SmtpProvider(EmailChannel.PRIMARY,
          settings(server.port(), Trust.SYSTEM), "relay.test");

      SendFailure failure = catchThrowableOfType(SendFailure.class,
          () -> provider.send(REQUEST, EMAIL, false));

      assertThat(failure).isNotNull();
      assertThat(failure.getCause()).hasMessageContaining("STARTTLS is required");
      // Nothing was sent: another relay may take the message now.
      assertThat(failure.decision()).isEqualTo(Decision.FAILOVER);
      assertThat(failure.maybeAccepted()).isFalse();
      // The server records each command before answering it, and the client waits for the
      // answer: had AUTH or MAIL been sent, it would be here by now.
      assertThat(server.commands()).extracting(Command::line).map(SmtpStartTlsTest::verb)
          .startsWith("EHLO")
          .doesNotContain("STARTTLS", "AUTH", "MAIL");
      assertThat(server.commands()).extracting(Command::line)
          .noneMatch(SmtpStartTlsTest::carriesPassword);
      assertThat(server.messages()).isEmpty();
    }
  }

  @Test
  void aCertificateNobodyVouchedForEndsTheConversationBeforeAuth() throws Exception {
    try (ScriptedSmtpServer server = ScriptedSmtpServer.authenticating(cert.serverContext())) {
      // The JVM's trust store does not know the self-signed certificate.
      SmtpProvider provider = new SmtpProvider(EmailChannel.PRIMARY,
          settings(server.port(), Trust.SYSTEM), "relay.test");

      SendFailure failure = catchThrowableOfType(SendFailure.class,
          () -> provider.send(REQUEST, EMAIL, false));

      assertThat(failure).isNotNull();
      assertThat(failure.decision()).isEqualTo(Decision.FAILOVER);
      assertThat(server.commands()).extracting(Command::line).map(SmtpStartTlsTest::verb)
          .doesNotContain("AUTH", "MAIL");
      assertThat(server.commands()).extracting(Command::line)
          .noneMatch(SmtpStartTlsTest::carriesPassword);
    }
  }

  @Test
  void credentialsWithoutTlsAreRefusedBeforeAnyConnection() {
    SmtpSettings clear = new SmtpSettings("127.0.0.1", 587, USER, PASSWORD, false,
        "Relay <relay@relay.test>", Duration.ofSeconds(5));

    assertThatThrownBy(() -> clear.requireTlsForCredentials("smtp-secondary",
        "relay.smtp-secondary"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'smtp-secondary'")
        .hasMessageContaining("relay.smtp-secondary.start-tls=true")
        .hasMessageContaining("relay.smtp-secondary.ssl=true");
    assertThatThrownBy(() -> new SmtpProvider(EmailChannel.PRIMARY, clear, "relay.test"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'smtp-primary'")
        .hasMessageContaining("start-tls=true");
  }

  @Test
  void aPasswordWithoutUserAndTrustingEveryHostAreRefused() {
    SmtpSettings passwordOnly = new SmtpSettings("h", 587, null, PASSWORD, true, false, "f",
        null, Trust.SYSTEM);
    assertThatThrownBy(() -> passwordOnly.requireTlsForCredentials("smtp-primary", "relay.smtp"))
        .hasMessageContaining("relay.smtp.password is set but relay.smtp.username is blank");

    SmtpSettings anyHost = new SmtpSettings("h", 587, USER, PASSWORD, true, false, "f", null,
        new Trust(null, List.of("*")));
    assertThatThrownBy(() -> anyHost.requireTlsForCredentials("smtp-primary", "relay.smtp"))
        .hasMessageContaining("relay.smtp.trusted-hosts=*")
        .hasMessageContaining("relay.smtp.ca-cert-file");
  }

  @Test
  void sessionPropertiesRequireStartTlsAndCheckTheServerName() {
    Properties startTls = SmtpProvider.properties(settings(587, Trust.SYSTEM));
    assertThat(startTls)
        .containsEntry("mail.smtp.auth", "true")
        .containsEntry("mail.smtp.starttls.enable", "true")
        .containsEntry("mail.smtp.starttls.required", "true")
        .containsEntry("mail.smtp.ssl.checkserveridentity", "true")
        .doesNotContainKey("mail.smtp.ssl.trust");

    Properties smtps = SmtpProvider.properties(new SmtpSettings("h", 465, USER, PASSWORD, false,
        true, "f", null, new Trust(null, List.of("mail.internal"))));
    assertThat(smtps)
        .containsEntry("mail.smtp.ssl.enable", "true")
        .containsEntry("mail.smtp.ssl.checkserveridentity", "true")
        .containsEntry("mail.smtp.ssl.trust", "mail.internal")
        .doesNotContainKey("mail.smtp.starttls.enable");

    // Local development: no credentials, no TLS, nothing about trust.
    Properties local = SmtpProvider.properties(SmtpSettings.local(1025));
    assertThat(local.stringPropertyNames()).noneMatch(k -> k.contains("ssl") || k.contains("auth")
        || k.contains("starttls"));
  }

  private static SmtpSettings settings(int port, Trust trust) {
    return new SmtpSettings("127.0.0.1", port, USER, PASSWORD, true, false,
        "Relay <relay@relay.test>", Duration.ofSeconds(5), trust);
  }

  private static String verb(String line) {
    return line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
  }

  /** The password itself, or in any base64 form AUTH PLAIN or LOGIN would carry it. */
  private static boolean carriesPassword(String line) {
    if (line.contains(PASSWORD)) {
      return true;
    }
    for (String word : line.split(" ")) {
      try {
        String decoded = new String(Base64.getDecoder().decode(word), StandardCharsets.UTF_8);
        if (decoded.contains(PASSWORD)) {
          return true;
        }
      } catch (IllegalArgumentException notBase64) {
        // a verb or an address
      }
    }
    return false;
  }
}
