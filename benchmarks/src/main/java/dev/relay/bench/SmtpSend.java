package dev.relay.bench;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The minimal arm's activity: the same kind of mail as Relay's (multipart/alternative text + HTML,
 * our own Message-ID, one SMTP connection per send as Relay's SmtpProvider opens) to the same
 * Mailpit, with Jakarta Mail (Angus).
 */
final class SmtpSend implements MinimalDelivery.Send {
  static final String FROM = "bench-minimal@relay.bench.test";

  private final Session session;

  SmtpSend(String host, int port) {
    Properties props = new Properties();
    props.put("mail.smtp.host", host);
    props.put("mail.smtp.port", String.valueOf(port));
    props.put("mail.smtp.connectiontimeout", "10000");
    props.put("mail.smtp.timeout", "10000");
    props.put("mail.smtp.writetimeout", "10000");
    this.session = Session.getInstance(props);
  }

  @Override
  public void sendEmail(MinimalDelivery.Mail mail) {
    try {
      MimeMessage message = new FixedIdMessage(session, mail.messageId());
      message.setFrom(new InternetAddress(FROM));
      message.setRecipient(Message.RecipientType.TO, new InternetAddress(mail.to()));
      message.setSubject(mail.subject(), StandardCharsets.UTF_8.name());
      MimeBodyPart text = new MimeBodyPart();
      text.setText(mail.textBody(), StandardCharsets.UTF_8.name());
      MimeBodyPart html = new MimeBodyPart();
      html.setText(mail.htmlBody(), StandardCharsets.UTF_8.name(), "html");
      message.setContent(new MimeMultipart("alternative", text, html));
      Transport.send(message);
    } catch (MessagingException e) {
      // Retryable: Temporal's default policy tries again, as it would for a real send.
      throw new IllegalStateException("SMTP send failed: " + e.getMessage(), e);
    }
  }

  /** Keeps the Message-ID we chose instead of one made up by saveChanges. */
  private static final class FixedIdMessage extends MimeMessage {
    private final String id;

    FixedIdMessage(Session session, String id) {
      super(session);
      this.id = id;
    }

    @Override
    protected void updateMessageID() throws MessagingException {
      setHeader("Message-ID", id);
    }
  }
}
