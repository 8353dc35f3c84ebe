package dev.relay.activities.payload;

import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.activities.DocumentRef;
import dev.relay.contracts.activities.PayloadActivities;
import dev.relay.contracts.activities.PayloadRequest;
import dev.relay.contracts.activities.PreparedPayload;
import dev.relay.store.document.DocumentMeta;
import dev.relay.store.document.DocumentRepository;
import dev.relay.store.payload.RenderedPayload;
import dev.relay.store.payload.RenderedPayloadRepository;
import dev.relay.store.template.Template;
import dev.relay.store.template.TemplateRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders a template for one channel and resolves the attached documents by reference.
 *
 * <p>Idempotency: the rendering is upserted under (delivery ID, channel), so a retry rewrites
 * the same row; the result carries only that key, the content digest and document digests.
 *
 * <p>Email needs a subject and a text body (the HTML body is optional: text-only mail is valid,
 * HTML-only mail is not what we want to send). SMS needs the SMS body and ignores attachments.
 */
public class PayloadActivitiesImpl implements PayloadActivities {
  private final TemplateRepository templates;
  private final DocumentRepository documents;
  private final RenderedPayloadRepository rendered;

  public PayloadActivitiesImpl(TemplateRepository templates, DocumentRepository documents,
      RenderedPayloadRepository rendered) {
    this.templates = templates;
    this.documents = documents;
    this.rendered = rendered;
  }

  @Override
  public PreparedPayload preparePayload(PayloadRequest request) {
    Template template = templates.find(request.tenantId(), request.templateId())
        .orElseThrow(() -> DeliveryErrorType.TEMPLATE_NOT_FOUND.failure(
            "template " + request.templateId() + " not found"));
    Map<String, Object> variables = request.variables() == null ? Map.of() : request.variables();
    RenderedPayload payload = switch (request.channel()) {
      case EMAIL -> renderEmail(request, template, variables);
      case SMS -> renderSms(request, template, variables);
    };
    // Resolve documents before saving so a missing one leaves no rendering behind for a send.
    List<DocumentRef> refs = request.channel() == Channel.EMAIL
        ? resolveDocuments(request)
        : List.of();
    rendered.save(payload);
    return new PreparedPayload(payloadRef(request.deliveryId(), request.channel()),
        request.channel(), payload.sha256(), refs);
  }

  /** The key of a stored rendering, as carried in workflow history. */
  public static String payloadRef(String deliveryId, Channel channel) {
    return deliveryId + ":" + channel.name();
  }

  private RenderedPayload renderEmail(PayloadRequest request, Template t,
      Map<String, Object> variables) {
    if (isBlank(t.subject()) || isBlank(t.textBody())) {
      throw DeliveryErrorType.TEMPLATE_CHANNEL_MISSING.failure("template " + t.id()
          + " has no EMAIL content (subject and text body are required)");
    }
    String subject = TemplateRenderer.subject(t.subject(), variables);
    String text = TemplateRenderer.plain("text body", t.textBody(), variables);
    String html = isBlank(t.htmlBody())
        ? null
        : TemplateRenderer.html("html body", t.htmlBody(), variables);
    return new RenderedPayload(request.deliveryId(), Channel.EMAIL.name(), request.tenantId(),
        t.id(), t.version(), subject, html, text, PayloadDigest.of(subject, text, html));
  }

  private RenderedPayload renderSms(PayloadRequest request, Template t,
      Map<String, Object> variables) {
    if (isBlank(t.smsBody())) {
      throw DeliveryErrorType.TEMPLATE_CHANNEL_MISSING.failure(
          "template " + t.id() + " has no SMS body");
    }
    String body = TemplateRenderer.sms(t.smsBody(), variables);
    // The SMS text is stored as the text body: one column, one digest rule for both channels.
    return new RenderedPayload(request.deliveryId(), Channel.SMS.name(), request.tenantId(),
        t.id(), t.version(), null, null, body, PayloadDigest.of(null, body, null));
  }

  private List<DocumentRef> resolveDocuments(PayloadRequest request) {
    List<DocumentRef> refs = new ArrayList<>();
    List<String> ids = request.documentIds() == null ? List.of() : request.documentIds();
    for (String id : ids) {
      DocumentMeta meta = documents.findMeta(request.tenantId(), id)
          .orElseThrow(() -> DeliveryErrorType.DOCUMENT_NOT_FOUND.failure(
              "document " + id + " not found"));
      refs.add(new DocumentRef(meta.id(), meta.filename(), meta.contentType(), meta.size(),
          meta.sha256()));
    }
    return List.copyOf(refs);
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
