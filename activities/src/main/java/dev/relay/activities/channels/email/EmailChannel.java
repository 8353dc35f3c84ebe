package dev.relay.activities.channels.email;

import dev.relay.activities.channels.LedgeredSend;
import dev.relay.activities.channels.RenderedContent;
import dev.relay.activities.channels.SendFailure;
import dev.relay.activities.config.SmtpSettings;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.activities.DocumentRef;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.activities.SendResult;
import dev.relay.store.document.DocumentRepository;
import dev.relay.store.payload.RenderedPayload;
import dev.relay.store.payload.RenderedPayloadRepository;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.util.ByteArrayDataSource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Email over SMTP (Jakarta Mail / Angus), behind the send ledger.
 *
 * <p>Idempotency: keyed by the send key. A send recorded SENT is not repeated. A try that died
 * after possibly reaching the relay (ledger still SENDING) is sent again with the same
 * Message-ID, which is derived from the send key: receiving systems and mailbox providers drop a
 * second message with a Message-ID they already have, so the ambiguous resend does not show up
 * twice for the recipient. It is logged as a possible duplicate.
 */
public class EmailChannel implements LedgeredSend.Provider<EmailChannel.Email> {
  public static final String PROVIDER = "smtp";
  private static final Logger log = LoggerFactory.getLogger(EmailChannel.class);

  /** What one send puts on the wire. */
  public record Email(RenderedPayload payload, List<Attachment> attachments) {}

  public record Attachment(DocumentRef ref, byte[] content) {}

  private final SmtpSettings smtp;
  private final String messageIdDomain;
  private final Session session;
  private final RenderedPayloadRepository payloads;
  private final DocumentRepository documents;
  private final LedgeredSend ledger;

  public EmailChannel(SmtpSettings smtp, String messageIdDomain,
      RenderedPayloadRepository payloads, DocumentRepository documents, LedgeredSend ledger) {
    this.smtp = smtp;
    this.messageIdDomain = messageIdDomain;
    this.session = smtp == null ? null : Session.getInstance(properties(smtp));
    this.payloads = payloads;
    this.documents = documents;
    this.ledger = ledger;
  }

  public SendResult send(SendRequest request) {
    if (session == null) {
      throw new IllegalStateException("SMTP is not configured");
    }
    return ledger.run(request, PROVIDER, this);
  }

  /**
   * The Message-ID of a send: {@code <first 32 hex of sha256(sendKey)@domain>}. Stable across
   * tries of one send, distinct across rounds and deliveries, and free of client data.
   */
  public static String messageId(String sendKey, String domain) {
    return "<" + DeliveryIds.sha256Hex(sendKey).substring(0, 32) + "@" + domain + ">";
  }

  @Override
  public Email load(SendRequest request) throws SendFailure {
    RenderedPayload payload = RenderedContent.load(payloads, request);
    List<Attachment> attachments = new ArrayList<>();
    List<DocumentRef> refs = request.payload().documents() == null
        ? List.of()
        : request.payload().documents();
    for (DocumentRef ref : refs) {
      byte[] content = documents.content(request.tenantId(), ref.documentId())
          .orElseThrow(() -> SendFailure.beforeProvider(DeliveryErrorType.DOCUMENT_NOT_FOUND,
              "document " + ref.documentId() + " not found"));
      // The bytes must still be the ones the workflow prepared a reference to.
      if (!DeliveryIds.sha256Hex(content).equals(ref.sha256())) {
        throw SendFailure.beforeProvider(DeliveryErrorType.DOCUMENT_DIGEST_MISMATCH,
            "document " + ref.documentId() + " does not match its prepared SHA-256");
      }
      attachments.add(new Attachment(ref, content));
    }
    return new Email(payload, List.copyOf(attachments));
  }

  @Override
  public String send(SendRequest request, Email email, boolean earlierTryInDoubt)
      throws SendFailure {
    String messageId = messageId(request.sendKey(), messageIdDomain);
    if (earlierTryInDoubt) {
      log.warn("send {}: an earlier try may have reached the relay; resending as {} "
          + "(possible duplicate, receivers dedupe on Message-ID)", request.sendKey(), messageId);
    }
    Transport transport = null;
    try {
      MimeMessage message = compose(messageId, request.address(), email);
      transport = session.getTransport("smtp");
      transport.connect(smtp.host(), smtp.port(), smtp.username(), smtp.password());
      transport.sendMessage(message, message.getAllRecipients());
      return messageId;
    } catch (MessagingException e) {
      int lastReply = transport instanceof SMTPTransport t ? t.getLastReturnCode() : -1;
      throw SmtpErrors.classify(e, lastReply);
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

  private static void closeQuietly(Transport transport) {
    if (transport == null) {
      return;
    }
    try {
      transport.close();
    } catch (MessagingException e) {
      // QUIT failing after the relay accepted DATA does not undo the acceptance.
      log.debug("SMTP close failed", e);
    }
  }

  private static Properties properties(SmtpSettings smtp) {
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
      props.put("mail.smtp.ssl.checkserveridentity", "true");
    }
    return props;
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
