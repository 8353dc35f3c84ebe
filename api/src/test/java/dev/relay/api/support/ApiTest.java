package dev.relay.api.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.icegreen.greenmail.util.GreenMail;
import dev.relay.api.RelayApiApplication;
import dev.relay.store.delivery.SendLedgerRepository;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.JsonNode;

/**
 * Base of the API tests: one Spring context (cached across test classes) with the app on a
 * random port and the real peers of {@link RelayTestInfrastructure}. Two tenants exist, made by
 * the app's own {@code relay.bootstrap}: acme (client, support, admin keys) and globex (client).
 */
@SpringBootTest(classes = RelayApiApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "relay.twilio.auth-token=" + RelayTestInfrastructure.TWILIO_TOKEN,
        "relay.twilio.webhook-base-url=" + RelayTestInfrastructure.WEBHOOK_BASE_URL,
        "relay.delivery.initial-backoff=20ms",
        "relay.delivery.max-backoff=200ms",
        // Short enough to see a delivery turn delayed within a test (DelayedDeliveryTest).
        "relay.delivery.delay-notice=2s",
        "relay.starter.interval=300ms",
        // Short claims and pauses so a handed-back start is swept within a test.
        "relay.starter.claim=2s",
        "relay.starter.backoff=200ms",
        "relay.starter.max-backoff=1s",
        "relay.documents.max-size=64KB",
        "relay.bootstrap[0].id=acme",
        "relay.bootstrap[0].name=Acme",
        "relay.bootstrap[0].keys[0].key=" + ApiTest.ACME_CLIENT,
        "relay.bootstrap[0].keys[0].role=CLIENT",
        "relay.bootstrap[0].keys[0].name=acme-app",
        "relay.bootstrap[0].keys[1].key=" + ApiTest.ACME_SUPPORT,
        "relay.bootstrap[0].keys[1].role=SUPPORT",
        "relay.bootstrap[0].keys[1].name=alice.support",
        "relay.bootstrap[0].keys[2].key=" + ApiTest.ACME_ADMIN,
        "relay.bootstrap[0].keys[2].role=ADMIN",
        "relay.bootstrap[0].keys[2].name=root",
        "relay.bootstrap[1].id=globex",
        "relay.bootstrap[1].name=Globex",
        "relay.bootstrap[1].keys[0].key=" + ApiTest.GLOBEX_CLIENT,
        "relay.bootstrap[1].keys[0].role=CLIENT",
        "relay.bootstrap[1].keys[0].name=globex-app",
        "relay.bootstrap[1].keys[1].key=" + ApiTest.GLOBEX_SUPPORT,
        "relay.bootstrap[1].keys[1].role=SUPPORT",
        "relay.bootstrap[1].keys[1].name=globex.support",
        "relay.codec.keys=" + ApiTest.PAYLOAD_KEYS,
        "relay.codec.required=true",
        "relay.at-rest.keys=" + ApiTest.AT_REST_KEYS,
        "relay.at-rest.required=true",
        // Every test connects from 127.0.0.1: the brute-force guard has its own test.
        "relay.auth.failure-limit=1000000",
        "relay.codec-server.allowed-origins=" + ApiTest.UI_ORIGIN,
    })
@Import(RelayTestInfrastructure.class)
public abstract class ApiTest {
  public static final String ACME_CLIENT = "acme-client-key-000000000001";
  public static final String ACME_SUPPORT = "acme-support-key-00000000001";
  public static final String ACME_ADMIN = "acme-admin-key-000000000001";
  public static final String GLOBEX_CLIENT = "globex-client-key-0000000001";
  public static final String GLOBEX_SUPPORT = "globex-support-key-000000001";
  public static final Duration ASYNC = Duration.ofSeconds(30);
  /** Payload keys of the API tests: api-test-2 (the primary) seals, both open. */
  public static final String PAYLOAD_KEYS =
      "api-test-1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,"
          + "api-test-2:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
  /** The KEKs of the API tests (encryption at rest); the last one wraps new data keys. */
  public static final String AT_REST_KEYS =
      "api-kek-1:a2VrLW9uZS0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc=,"
          + "api-kek-2:a2VrLXR3by0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc=";
  /** The Temporal Web UI origin the codec server lets in. */
  public static final String UI_ORIGIN = "http://localhost:8233";

  @LocalServerPort
  protected int port;
  @Autowired
  protected GreenMail greenMail;
  @Autowired
  protected WireMockServer twilio;
  @Autowired
  protected Jdbi jdbi;
  @Autowired
  protected SendLedgerRepository ledger;

  protected Http http() {
    return new Http("http://localhost:" + port);
  }

  protected static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  // ------------------------------------------------------------------ fixtures via the API

  /** A recipient with a verified email address (and an SMS number when given) and consent. */
  protected String recipient(String key, String email, String phone, String purpose,
      boolean emailConsent, boolean smsConsent) {
    String id = unique("rcp");
    StringBuilder contacts = new StringBuilder();
    if (email != null) {
      contacts.append("{\"channel\":\"EMAIL\",\"address\":\"").append(email)
          .append("\",\"verified\":true}");
    }
    if (phone != null) {
      if (!contacts.isEmpty()) {
        contacts.append(',');
      }
      contacts.append("{\"channel\":\"SMS\",\"address\":\"").append(phone)
          .append("\",\"verified\":true}");
    }
    Http.Reply put = http().put("/v1/recipients/" + id, key,
        "{\"displayName\":\"Test Person\",\"active\":true,\"contacts\":[" + contacts + "]}");
    assertThat(put.status()).as(put.body()).isEqualTo(200);
    Http.Reply consent = http().put("/v1/recipients/" + id + "/consents/" + purpose, key,
        "{\"channels\":{\"EMAIL\":" + emailConsent + ",\"SMS\":" + smsConsent
            + "},\"source\":\"test\",\"evidence\":\"form-1\"}");
    assertThat(consent.status()).as(consent.body()).isEqualTo(200);
    return id;
  }

  protected String emailTemplate(String key) {
    String id = unique("tpl");
    Http.Reply put = http().put("/v1/templates/" + id, key, """
        {"subject":"Results for {{name}}","textBody":"Hello {{name}}, your results are ready.",
         "htmlBody":"<p>Hello {{name}}</p>","smsBody":"Hello {{name}}, results are ready"}
        """);
    assertThat(put.status()).as(put.body()).isEqualTo(200);
    return id;
  }

  protected Http.Reply postDelivery(String key, String idempotencyKey, String body) {
    return http().post("/v1/deliveries", key, body, "Idempotency-Key", idempotencyKey);
  }

  protected static String deliveryBody(String recipientId, String purpose, String templateId,
      String channels) {
    return "{\"recipientId\":\"" + recipientId + "\",\"purpose\":\"" + purpose
        + "\",\"templateId\":\"" + templateId + "\",\"variables\":{\"name\":\"Ada\"}"
        + (channels == null ? "" : ",\"channels\":" + channels) + "}";
  }

  // ------------------------------------------------------------------ waiting and reading

  /** Polls GET /v1/deliveries/{id} until its status is {@code status}; fails after ASYNC. */
  protected JsonNode awaitStatus(String key, String deliveryId, String status) {
    return awaitDelivery(key, deliveryId, d -> status.equals(d.path("status").asString()),
        "status " + status);
  }

  protected JsonNode awaitDelivery(String key, String deliveryId, Predicate<JsonNode> condition,
      String what) {
    JsonNode last = null;
    long until = System.nanoTime() + ASYNC.toNanos();
    while (System.nanoTime() < until) {
      Http.Reply reply = http().get("/v1/deliveries/" + deliveryId, key);
      if (reply.status() == 200) {
        last = reply.json();
        if (condition.test(last)) {
          return last;
        }
      }
      pause();
    }
    return fail("delivery " + deliveryId + " did not reach " + what + " within " + ASYNC
        + "; last seen: " + last);
  }

  protected static <T> T await(Supplier<T> probe, Predicate<T> done, String what) {
    T last = null;
    long until = System.nanoTime() + ASYNC.toNanos();
    while (System.nanoTime() < until) {
      last = probe.get();
      if (done.test(last)) {
        return last;
      }
      pause();
    }
    return fail(what + " not reached within " + ASYNC + "; last: " + last);
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Mail GreenMail received for one address. */
  protected List<MimeMessage> mailTo(String address) {
    List<MimeMessage> out = new ArrayList<>();
    for (MimeMessage m : greenMail.getReceivedMessages()) {
      try {
        Address[] to = m.getRecipients(Message.RecipientType.TO);
        if (to != null && Arrays.stream(to).anyMatch(a -> a.toString().contains(address))) {
          out.add(m);
        }
      } catch (MessagingException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  protected int count(String sql, Object... args) {
    return jdbi.withHandle(h -> {
      var q = h.createQuery(sql);
      for (int i = 0; i < args.length; i++) {
        q.bind(i, args[i]);
      }
      return q.mapTo(Integer.class).one();
    });
  }
}
