package dev.relay.activities.channels.email;

import dev.relay.activities.channels.ChannelProvider;
import dev.relay.activities.channels.SendFailure;
import dev.relay.activities.channels.email.EmailChannel.Attachment;
import dev.relay.activities.channels.email.EmailChannel.Email;
import dev.relay.activities.channels.email.SmtpErrors.Stage;
import dev.relay.activities.config.SmtpSettings;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.store.payload.RenderedPayload;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP relay (Jakarta Mail / Angus). Every relay of the channel sends a message with the
 * same Message-ID, derived from the send key, so a resend after an ambiguous try (through this
 * relay or another) is dropped by receivers that already have it.
 */
public final class SmtpProvider implements ChannelProvider<Email> {
  private static final Logger log = LoggerFactory.getLogger(SmtpProvider.class);

  private final String name;
  private final SmtpSettings smtp;
  private final String messageIdDomain;
  private final Session session;

  public SmtpProvider(String name, SmtpSettings smtp, String messageIdDomain) {
    this.name = name;
    this.smtp = smtp;
    this.messageIdDomain = messageIdDomain;
    smtp.requireTlsForCredentials(name, "");
    this.session = Session.getInstance(properties(smtp));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String send(SendRequest request, Email email, boolean earlierTryInDoubt)
      throws SendFailure {
    String messageId = EmailChannel.messageId(request.sendKey(), messageIdDomain);
    if (earlierTryInDoubt) {
      log.warn("send {}: an earlier try may have reached a relay; resending via {} as {} "
          + "(possible duplicate, receivers dedupe on Message-ID)", request.sendKey(), name,
          messageId);
    }
    StagedTransport transport = new StagedTransport(session);
    try {
      MimeMessage message = compose(messageId, request.address(), email);
      transport.connect(smtp.host(), smtp.port(), smtp.username(), smtp.password());
      transport.stage = Stage.ENVELOPE;
      transport.sendMessage(message, message.getAllRecipients());
      return messageId;
    } catch (MessagingException e) {
      throw SmtpErrors.classify(transport.stage, e, transport.getLastReturnCode());
    } finally {
      closeQuietly(transport);
    }
  }

  private MimeMessage compose(String messageId, String to, Email email)
      throws MessagingException {
    RenderedPayload p = email.payload();
    MimeMessage message = new FixedIdMimeMessage(session, messageId);
    message.setFrom(new InternetAddress(smtp.from(), true));
    message.setRecipient(Message.RecipientType.TO, new InternetAddress(to, true));
    message.setSubject(p.subject(), StandardCharsets.UTF_8.name());
    message.setSentDate(new Date());
    if (email.listUnsubscribe() != null) {
      // RFC 8058 one-click: mailbox providers show an unsubscribe button that POSTs to the URL.
      // (They honour it only when the relay's DKIM signature covers both headers.)
      message.setHeader("List-Unsubscribe", "<" + email.listUnsubscribe() + ">");
      message.setHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
    }

    if (email.attachments().isEmpty()) {
      setBody(message, p);
    } else {
      MimeMultipart mixed = new MimeMultipart("mixed");
      MimeBodyPart body = new MimeBodyPart();
      setBody(body, p);
      mixed.addBodyPart(body);
      for (Attachment a : email.attachments()) {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(
            new ByteArrayDataSource(a.content(), a.ref().contentType())));
        part.setFileName(a.ref().filename());
        part.setDisposition(Part.ATTACHMENT);
        mixed.addBodyPart(part);
      }
      message.setContent(mixed);
    }
    message.saveChanges(); // runs updateMessageID, which pins our ID
    return message;
  }

  /** Text only, or multipart/alternative with the text first (clients show the last they can). */
  private static void setBody(MimePart target, RenderedPayload p) throws MessagingException {
    String utf8 = StandardCharsets.UTF_8.name();
    if (p.htmlBody() == null) {
      target.setText(p.textBody(), utf8);
      return;
    }
    MimeBodyPart text = new MimeBodyPart();
    text.setText(p.textBody(), utf8);
    MimeBodyPart html = new MimeBodyPart();
    html.setText(p.htmlBody(), utf8, "html");
    MimeMultipart alternative = new MimeMultipart("alternative", text, html);
    target.setContent(alternative);
  }

  private static void closeQuietly(StagedTransport transport) {
    try {
      if (transport.isConnected()) {
        transport.close();
      }
    } catch (MessagingException e) {
      // QUIT failing after the relay accepted DATA does not undo the acceptance.
      log.debug("SMTP close failed", e);
    }
  }

  /**
   * The session's properties. With STARTTLS it is required, not just attempted: a relay (or a
   * man in the middle) that does not offer it is refused before AUTH and before MAIL, so neither
   * the password nor the message crosses in clear. The server's name is always checked against its
   * certificate; trust is the JVM's store, a configured CA file, or named hosts, never "*".
   */
  static Properties properties(SmtpSettings smtp) {
    Properties props = new Properties();
    props.put("mail.smtp.host", smtp.host());
    props.put("mail.smtp.port", String.valueOf(smtp.port()));
    if (smtp.timeout() != null) {
      String millis = String.valueOf(smtp.timeout().toMillis());
      props.put("mail.smtp.connectiontimeout", millis);
      props.put("mail.smtp.timeout", millis);
      props.put("mail.smtp.writetimeout", millis);
    }
    if (smtp.username() != null) {
      props.put("mail.smtp.auth", "true");
    }
    if (smtp.startTls()) {
      props.put("mail.smtp.starttls.enable", "true");
      props.put("mail.smtp.starttls.required", "true");
    }
    if (smtp.ssl()) {
      props.put("mail.smtp.ssl.enable", "true");
    }
    if (smtp.encrypted()) {
      props.put("mail.smtp.ssl.checkserveridentity", "true");
      SmtpSettings.Trust trust = smtp.trust();
      if (trust.caCertFile() != null) {
        // An instance, used for STARTTLS and SMTPS alike (Angus's SocketFetcher looks it up first).
        props.put("mail.smtp.ssl.socketFactory", TrustedCertificates.socketFactory(
            trust.caCertFile()));
      } else if (!trust.trustedHosts().isEmpty()) {
        props.put("mail.smtp.ssl.trust", String.join(" ", trust.trustedHosts()));
      }
    }
    return props;
  }

  /**
   * Angus's SMTP transport, telling how far the conversation got: whether the relay could have
   * the message decides between failing over (it cannot) and leaving the send in doubt.
   */
  static final class StagedTransport extends SMTPTransport {
    private volatile Stage stage = Stage.CONNECT;

    StagedTransport(Session session) {
      super(session, new URLName("smtp", null, -1, null, null, null));
    }

    @Override
    protected OutputStream data() throws MessagingException {
      OutputStream out = super.data(); // returns once the relay said 354
      stage = Stage.CONTENT;
      return out;
    }

    @Override
    protected OutputStream bdat() throws MessagingException {
      stage = Stage.CONTENT; // CHUNKING sends data with the command itself
      return super.bdat();
    }
  }

  /** A MimeMessage whose Message-ID is ours, not one made up by {@code saveChanges}. */
  static final class FixedIdMimeMessage extends MimeMessage {
    private final String messageId;

    FixedIdMimeMessage(Session session, String messageId) {
      super(session);
      this.messageId = messageId;
    }

    @Override
    protected void updateMessageID() throws MessagingException {
      setHeader("Message-ID", messageId);
    }
  }
}
