package dev.relay.activities.payload;

import static dev.relay.activities.Failures.expectFailure;
import static dev.relay.activities.TestStore.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.activities.TestStore;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.activities.DocumentRef;
import dev.relay.contracts.activities.PayloadRequest;
import dev.relay.contracts.activities.PreparedPayload;
import dev.relay.store.payload.RenderedPayload;
import dev.relay.store.tenant.Tenant;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PayloadActivitiesImplTest {
  private static final String DELIVERY = "dlv-0123456789abcdef0123456789abcdef";
  private static final Map<String, Object> VARS =
      Map.of("name", "Ann & <Bob>", "invoice", Map.of("number", "INV-7", "total", "12.50"));

  private TestStore store;
  private PayloadActivitiesImpl payloads;

  @BeforeEach
  void setUp() {
    store = TestStore.fresh();
    payloads = new PayloadActivitiesImpl(store.templates, store.documents, store.rendered);
    store.templates.upsert(TENANT, "invoice",
        "Invoice {{invoice.number}} for {{name}}",
        "<p>Hello {{name}}</p>{{#invoice}}<p>Total {{total}}</p>{{/invoice}}",
        "Hello {{name}}, total {{invoice.total}}",
        "{{name}}: invoice {{invoice.number}} is ready");
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void emailEscapesHtmlButNotTextOrSubjectAndStoresTheRendering() {
    PreparedPayload prepared = payloads.preparePayload(email("invoice", VARS, List.of()));

    RenderedPayload row = store.rendered.find(DELIVERY, "EMAIL").orElseThrow();
    assertThat(row.subject()).isEqualTo("Invoice INV-7 for Ann & <Bob>");
    assertThat(row.textBody()).isEqualTo("Hello Ann & <Bob>, total 12.50");
    assertThat(row.htmlBody())
        .isEqualTo("<p>Hello Ann &amp; &lt;Bob&gt;</p><p>Total 12.50</p>");
    assertThat(row.templateVersion()).isEqualTo(1);

    assertThat(prepared.payloadRef()).isEqualTo(DELIVERY + ":EMAIL");
    assertThat(prepared.channel()).isEqualTo(Channel.EMAIL);
    assertThat(prepared.contentSha256())
        .isEqualTo(row.sha256())
        .isEqualTo(PayloadDigest.of(row.subject(), row.textBody(), row.htmlBody()))
        .hasSize(64);
  }

  @Test
  void smsRendersItsOwnBodyAndIgnoresAttachments() {
    PreparedPayload prepared = payloads.preparePayload(
        new PayloadRequest(TENANT, DELIVERY, "invoice", VARS, List.of("not-looked-up"),
            Channel.SMS));

    RenderedPayload row = store.rendered.find(DELIVERY, "SMS").orElseThrow();
    assertThat(row.textBody()).isEqualTo("Ann & <Bob>: invoice INV-7 is ready");
    assertThat(row.subject()).isNull();
    assertThat(row.htmlBody()).isNull();
    assertThat(prepared.payloadRef()).isEqualTo(DELIVERY + ":SMS");
    assertThat(prepared.documents()).isEmpty();
    assertThat(prepared.contentSha256()).isEqualTo(row.sha256());
  }

  @Test
  void emailWithoutHtmlBodyIsTextOnly() {
    store.templates.upsert(TENANT, "plain", "Hi", null, "Hello {{name}}", null);

    payloads.preparePayload(email("plain", VARS, List.of()));

    assertThat(store.rendered.find(DELIVERY, "EMAIL").orElseThrow().htmlBody()).isNull();
  }

  @Test
  void documentsResolveToReferencesWithTheirStoredDigest() {
    byte[] pdf = "%PDF-1.7 invoice".getBytes(StandardCharsets.UTF_8);
    store.documents.store(TENANT, "doc-1", "invoice.pdf", "application/pdf", pdf);

    PreparedPayload prepared = payloads.preparePayload(email("invoice", VARS, List.of("doc-1")));

    assertThat(prepared.documents()).containsExactly(new DocumentRef("doc-1", "invoice.pdf",
        "application/pdf", pdf.length, DeliveryIds.sha256Hex(pdf)));
  }

  @Test
  void missingVariableIsNamed() {
    var failure = expectFailure(DeliveryErrorType.TEMPLATE_VARIABLE_MISSING,
        () -> payloads.preparePayload(email("invoice", Map.of("name", "Ann"), List.of())));

    // jmustache names the first part of a dotted name that is missing
    assertThat(failure.getOriginalMessage()).contains("'invoice'").contains("subject");
    assertThat(store.rendered.find(DELIVERY, "EMAIL")).isEmpty();
  }

  @Test
  void missingVariableInsideASectionIsNamed() {
    Map<String, Object> noTotal = Map.of("name", "Ann", "invoice", Map.of("number", "INV-7"));
    store.templates.upsert(TENANT, "invoice", "Invoice", "{{#invoice}}Total {{total}}{{/invoice}}",
        "text", null);

    var failure = expectFailure(DeliveryErrorType.TEMPLATE_VARIABLE_MISSING,
        () -> payloads.preparePayload(email("invoice", noTotal, List.of())));

    assertThat(failure.getOriginalMessage()).contains("'total'").contains("html body");
  }

  @Test
  void missingSectionIsNamedInsteadOfSkipped() {
    store.templates.upsert(TENANT, "lines", "Lines", null,
        "{{#lines}}- {{item}}\n{{/lines}}", null);

    var failure = expectFailure(DeliveryErrorType.TEMPLATE_VARIABLE_MISSING,
        () -> payloads.preparePayload(email("lines", Map.of(), List.of())));

    assertThat(failure.getOriginalMessage()).contains("'lines'");
  }

  @Test
  void sectionsIterateListsFromTheVariables() {
    store.templates.upsert(TENANT, "lines", "Lines", null,
        "{{#lines}}- {{item}}\n{{/lines}}", null);

    payloads.preparePayload(email("lines",
        Map.of("lines", List.of(Map.of("item", "a"), Map.of("item", "b"))), List.of()));

    assertThat(store.rendered.find(DELIVERY, "EMAIL").orElseThrow().textBody())
        .isEqualTo("- a\n- b\n");
  }

  @Test
  void aPartialStoredBeforeTheApiRefusedThemFailsForGoodInsteadOfRetrying() {
    // The first release accepted {{>x}} at PUT; rendering it threw an unknown exception that
    // Temporal retried for ever. Now it is a permanent, typed failure.
    store.templates.upsert(TENANT, "partial", "Hi", null, "Hello {{>footer}}", null);

    var failure = expectFailure(DeliveryErrorType.TEMPLATE_INVALID,
        () -> payloads.preparePayload(email("partial", VARS, List.of())));

    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains("{{>footer}}").contains("not supported");
  }

  @Test
  void anSmsLongerThanTwilioTakesFailsForGood() {
    store.templates.upsert(TENANT, "long", null, null, null, "{{#rows}}{{text}}{{/rows}}");
    var failure = expectFailure(DeliveryErrorType.TEMPLATE_INVALID,
        () -> payloads.preparePayload(new dev.relay.contracts.activities.PayloadRequest(TENANT,
            DELIVERY, "long", Map.of("rows", java.util.Collections.nCopies(20,
                Map.of("text", "x".repeat(100)))), List.of(), dev.relay.contracts.Channel.SMS)));
    assertThat(failure.getOriginalMessage()).contains("longer than 1600 characters");
  }

  @Test
  void missingTemplateIsNotFound() {
    expectFailure(DeliveryErrorType.TEMPLATE_NOT_FOUND,
        () -> payloads.preparePayload(email("nope", VARS, List.of())));
  }

  @Test
  void templateOfAnotherTenantIsNotFound() {
    store.tenants.upsertTenant(new Tenant("other", "Other", null));
    store.templates.upsert("other", "secret", "S", null, "T", "S");

    expectFailure(DeliveryErrorType.TEMPLATE_NOT_FOUND,
        () -> payloads.preparePayload(email("secret", VARS, List.of())));
  }

  @Test
  void channelWithoutContentIsMissing() {
    store.templates.upsert(TENANT, "email-only", "Subject", null, "Text", null);
    store.templates.upsert(TENANT, "no-text", "Subject", "<p>html</p>", null, "sms");

    expectFailure(DeliveryErrorType.TEMPLATE_CHANNEL_MISSING,
        () -> payloads.preparePayload(new PayloadRequest(TENANT, DELIVERY, "email-only", VARS,
            List.of(), Channel.SMS)));
    expectFailure(DeliveryErrorType.TEMPLATE_CHANNEL_MISSING,
        () -> payloads.preparePayload(email("no-text", VARS, List.of())));
  }

  @Test
  void missingDocumentIsNotFoundAndNothingIsStored() {
    expectFailure(DeliveryErrorType.DOCUMENT_NOT_FOUND,
        () -> payloads.preparePayload(email("invoice", VARS, List.of("missing-doc"))));

    assertThat(store.rendered.find(DELIVERY, "EMAIL")).isEmpty();
  }

  @Test
  void documentOfAnotherTenantIsNotFound() {
    store.tenants.upsertTenant(new Tenant("other", "Other", null));
    store.documents.store("other", "doc-x", "x.pdf", "application/pdf", new byte[] {1});

    expectFailure(DeliveryErrorType.DOCUMENT_NOT_FOUND,
        () -> payloads.preparePayload(email("invoice", VARS, List.of("doc-x"))));
  }

  @Test
  void renderingAgainIsIdempotentAndATemplateChangeReplacesTheRow() {
    PreparedPayload first = payloads.preparePayload(email("invoice", VARS, List.of()));
    PreparedPayload again = payloads.preparePayload(email("invoice", VARS, List.of()));
    assertThat(again).isEqualTo(first);

    store.templates.upsert(TENANT, "invoice", "New subject", null, "New text", null);
    PreparedPayload changed = payloads.preparePayload(email("invoice", VARS, List.of()));

    RenderedPayload row = store.rendered.find(DELIVERY, "EMAIL").orElseThrow();
    assertThat(changed.contentSha256()).isNotEqualTo(first.contentSha256())
        .isEqualTo(row.sha256());
    assertThat(row.templateVersion()).isEqualTo(2);
    assertThat(row.subject()).isEqualTo("New subject");
  }

  private static PayloadRequest email(String template, Map<String, Object> vars,
      List<String> documents) {
    return new PayloadRequest(TENANT, DELIVERY, template, vars, documents, Channel.EMAIL);
  }
}
