package dev.relay.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.api.support.ApiTest;
import dev.relay.client.ApiClient;
import dev.relay.client.ApiException;
import dev.relay.client.ApiResponse;
import dev.relay.client.api.DeliveriesApi;
import dev.relay.client.api.RecipientsAndConsentApi;
import dev.relay.client.api.TemplatesApi;
import dev.relay.client.model.Accepted;
import dev.relay.client.model.AuditEvent;
import dev.relay.client.model.AuditTrail;
import dev.relay.client.model.ConsentRequest;
import dev.relay.client.model.ConsentState;
import dev.relay.client.model.Contact;
import dev.relay.client.model.CreateDeliveryRequest;
import dev.relay.client.model.Delivery;
import dev.relay.client.model.Page;
import dev.relay.client.model.RecipientRequest;
import dev.relay.client.model.RecipientView;
import dev.relay.client.model.Summary;
import dev.relay.client.model.TemplateRequest;
import dev.relay.client.model.TemplateView;
import dev.relay.client.model.TimelineItem;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The main flows through a client generated from api/openapi.json (openapi-generator, JDK
 * HttpClient): what a client team gets from the document alone must work against the API.
 */
class GeneratedClientTest extends ApiTest {
  private RecipientsAndConsentApi recipients;
  private TemplatesApi templates;
  private DeliveriesApi deliveries;

  @BeforeEach
  void client() {
    ApiClient client = new ApiClient();
    client.updateBaseUri("http://localhost:" + port);
    client.setRequestInterceptor(r -> r.header("Authorization", "Bearer " + ACME_CLIENT));
    recipients = new RecipientsAndConsentApi(client);
    templates = new TemplatesApi(client);
    deliveries = new DeliveriesApi(client);
  }

  @Test
  void recipientTemplateDeliveryStatusListAndAuditThroughTheGeneratedClient() throws Exception {
    String recipientId = unique("gen");
    String email = recipientId + "@example.org";

    RecipientView recipient = recipients.putRecipient(recipientId, new RecipientRequest()
        .displayName("Generated Client")
        .active(true)
        .contacts(List.of(new Contact().channel(Contact.ChannelEnum.EMAIL).address(email)
            .verified(true))));
    assertThat(recipient.getId()).isEqualTo(recipientId);
    assertThat(recipient.getContacts()).singleElement()
        .satisfies(c -> assertThat(c.getSuppressedReason()).isNull());

    recipients.putConsent(recipientId, "billing", new ConsentRequest()
        .channels(Map.of("EMAIL", true)).source("generated-client").evidence("test"));
    ConsentState consent = recipients.getConsent(recipientId, "billing");
    assertThat(consent.getCurrent()).isNotNull();
    assertThat(consent.getCurrent().getChannels()).containsEntry("EMAIL", true);

    String templateId = unique("gen-tpl");
    TemplateView template = templates.putTemplate(templateId, new TemplateRequest()
        .subject("Invoice {{number}}").textBody("Hello {{name}}, invoice {{number}} is ready."));
    assertThat(template.getVersion()).isEqualTo(1);
    assertThat(template.getSmsBody()).isNull();

    CreateDeliveryRequest request = new CreateDeliveryRequest()
        .recipientId(recipientId).purpose("billing").templateId(templateId)
        .channels(new LinkedHashSet<>(List.of(CreateDeliveryRequest.ChannelsEnum.EMAIL)))
        .putVariablesItem("name", "Ada")
        .putVariablesItem("number", "INV-7");
    String key = unique("gen-key");

    ApiResponse<Accepted> first = deliveries.createDeliveryWithHttpInfo(key, request);
    assertThat(first.getStatusCode()).isEqualTo(202);
    String id = first.getData().getDeliveryId();
    assertThat(first.getHeaders().get("location")).containsExactly("/v1/deliveries/" + id);
    assertThat(first.getHeaders().get("idempotent-replayed")).containsExactly("false");

    // The same key and body: the same delivery, replayed.
    ApiResponse<Accepted> again = deliveries.createDeliveryWithHttpInfo(key, request);
    assertThat(again.getData().getDeliveryId()).isEqualTo(id);
    assertThat(again.getHeaders().get("idempotent-replayed")).containsExactly("true");
    // The same key with another body: a 422 problem.
    assertThatThrownBy(() -> deliveries.createDelivery(key, request.templateId(templateId)
            .putVariablesItem("number", "INV-8")))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getResponseBody()).contains("idempotency-key-reused");
        });

    Delivery delivered = await(() -> get(id), d -> "DELIVERED".equals(d.getStatus()),
        "delivery " + id + " DELIVERED");
    assertThat(delivered.getChannel()).isEqualTo("EMAIL");
    assertThat(delivered.getTimeline()).extracting(TimelineItem::getStep).contains("accept");
    assertThat(greenMail.getReceivedMessagesForDomain(email)).hasSize(1);

    Page page = deliveries.listDeliveries("DELIVERED", recipientId, 10, null);
    assertThat(page.getItems()).extracting(Summary::getDeliveryId).containsExactly(id);
    assertThat(page.getNextCursor()).isNull();

    AuditTrail audit = deliveries.getDeliveryAudit(id);
    assertThat(audit.getChainIntact()).isTrue();
    assertThat(audit.getFirstBrokenChainSeq()).isNull();
    assertThat(audit.getEvents()).extracting(AuditEvent::getStep).contains("accept");
  }

  @Test
  void errorsArriveAsProblemDocuments() {
    assertThatThrownBy(() -> deliveries.getDelivery("dlv-00000000000000000000000000000000"))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.getCode()).isEqualTo(404);
          assertThat(e.getResponseHeaders().firstValue("content-type"))
              .hasValue("application/problem+json");
          assertThat(e.getResponseBody()).contains("https://relay.dev/problems/not-found");
        });
  }

  private Delivery get(String id) {
    try {
      return deliveries.getDelivery(id);
    } catch (ApiException e) {
      throw new AssertionError(e);
    }
  }
}
