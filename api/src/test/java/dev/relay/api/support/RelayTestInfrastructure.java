package dev.relay.api.support;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.relay.activities.RelayActivities;
import dev.relay.activities.config.ActivitiesSettings;
import dev.relay.activities.config.SmtpSettings;
import dev.relay.activities.config.TwilioSettings;
import dev.relay.contracts.SearchAttributes;
import dev.relay.contracts.TaskQueues;
import dev.relay.guard.net.HostResolver;
import dev.relay.store.testing.TestDatabase;
import dev.relay.workflows.ContactVerificationWorkflowImpl;
import dev.relay.workflows.DeliveryWorkflowImpl;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.converter.DataConverter;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * The real peers of an API test: an embedded PostgreSQL, Temporal's in-memory test server with a
 * worker running the REAL workflow and activities, GreenMail as the SMTP relay, and WireMock
 * speaking Twilio's Messages API. The test server's client replaces the app's WorkflowClient.
 */
@TestConfiguration(proxyBeanMethods = false)
public class RelayTestInfrastructure {
  /** Where the emails' one-click unsubscribe links point (tests call the path on the API). */
  public static final String UNSUBSCRIBE_BASE_URL = "https://relay.test";
  public static final String TWILIO_ACCOUNT = "AC" + "0".repeat(32);
  public static final String TWILIO_TOKEN = "test-twilio-auth-token";
  public static final String TWILIO_FROM = "+15550001000";
  /** What the API is configured to believe Twilio calls (the signed URL's base). */
  public static final String WEBHOOK_BASE_URL = "https://relay.example.test";

  /** A public address the test DNS gives every {@code *.test} name (example.com's). */
  public static final String PUBLIC_TEST_ADDRESS = "93.184.215.14";

  /**
   * The test's DNS: {@code *.test} names are public hosts (no real lookup), except
   * {@code internal.acme.test} (a private address) and {@code rebound.acme.test} (loopback);
   * anything else (localhost, IP literals) as the system resolves it.
   */
  @Bean
  @Primary
  HostResolver testDns() {
    return host -> {
      String address = switch (host) {
        case "internal.acme.test" -> "10.20.30.40";
        case "rebound.acme.test" -> "127.0.0.1";
        default -> host.endsWith(".test") ? PUBLIC_TEST_ADDRESS : null;
      };
      return address == null ? HostResolver.SYSTEM.resolve(host)
          : List.of(InetAddress.getByName(address));
    };
  }

  @Bean
  @Primary
  DataSource testDataSource() {
    return TestDatabase.fresh();
  }

  @Bean(destroyMethod = "stop")
  GreenMail greenMail() {
    GreenMail mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    mail.start();
    return mail;
  }

  @Bean(destroyMethod = "stop")
  WireMockServer twilioServer() {
    WireMockServer server = new WireMockServer(options().dynamicPort());
    server.start();
    return server;
  }

  @Bean(destroyMethod = "close")
  TestWorkflowEnvironment testWorkflowEnvironment(Jdbi jdbi, GreenMail greenMail,
      WireMockServer twilioServer, DataConverter relayDataConverter) {
    // The app's sealing data converter (relay.codec.keys of ApiTest) for the client and the
    // test worker alike: every API test runs with payload encryption on.
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(
        TestEnvironmentOptions.newBuilder().setUseTimeskipping(false)
            .setWorkflowClientOptions(WorkflowClientOptions.newBuilder()
                .setDataConverter(relayDataConverter).build())
            .build());
    SearchAttributes.ALL.forEach(key ->
        env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    ActivitiesSettings settings = new ActivitiesSettings(
        SmtpSettings.local(greenMail.getSmtp().getPort()),
        new TwilioSettings(TWILIO_ACCOUNT, TWILIO_TOKEN, TWILIO_FROM,
            "http://localhost:" + twilioServer.port(), WEBHOOK_BASE_URL, Duration.ofSeconds(5)),
        "relay.test").withUnsubscribeBaseUrl(UNSUBSCRIBE_BASE_URL);
    Worker worker = env.newWorker(TaskQueues.DELIVERY);
    worker.registerWorkflowImplementationTypes(DeliveryWorkflowImpl.class,
        ContactVerificationWorkflowImpl.class);
    Object[] activities = RelayActivities.all(jdbi, settings).toArray();
    worker.registerActivitiesImplementations(activities);
    // Lean sends run on the channel's send queue, as in the worker app.
    for (String sends : List.of(TaskQueues.EMAIL_SENDS, TaskQueues.SMS_SENDS)) {
      env.newWorker(sends).registerActivitiesImplementations(activities);
    }
    env.start();
    return env;
  }

  @Bean
  @Primary
  WorkflowClient testWorkflowClient(TestWorkflowEnvironment env) {
    return StartGate.around(env.getWorkflowClient());
  }
}
