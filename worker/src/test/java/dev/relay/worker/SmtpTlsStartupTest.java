package dev.relay.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.relay.activities.config.SmtpSettings;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/** SMTP credentials without TLS stop the worker at start, with what to set. */
class SmtpTlsStartupTest {
  @Test
  void theWorkerRefusesToStartWhenCredentialsWouldCrossInClear() {
    SpringApplication app = new SpringApplication(RelayWorkerApplication.class);
    app.setWebApplicationType(WebApplicationType.NONE);
    Throwable failure = catchThrowable(() -> {
      ConfigurableApplicationContext started = app.run(
          // Nothing listens on either: the start must fail on the SMTP settings before it
          // touches the database or Temporal.
          "--spring.datasource.url=jdbc:postgresql://127.0.0.1:" + closedPort() + "/relay",
          "--relay.temporal.target=127.0.0.1:" + closedPort(),
          "--relay.audit.verifier.enabled=false",
          "--relay.webhooks.enabled=false",
          "--relay.smtp.host=smtp.example.test",
          "--relay.smtp.port=587",
          "--relay.smtp.username=relay",
          "--relay.smtp.password=secret",
          "--relay.smtp.start-tls=false");
      started.close(); // not expected: the assertion below says why
    });

    assertThat(failure).isNotNull();
    assertThat(rootCause(failure)).hasMessageContaining("SMTP provider 'smtp-primary'")
        .hasMessageContaining("relay.smtp.start-tls=true")
        .hasMessageContaining("relay.smtp.ssl=true");
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(WorkerProperties.class)
  static class Properties {}

  private final ApplicationContextRunner binding =
      new ApplicationContextRunner().withUserConfiguration(Properties.class);

  @Test
  void theSecondaryRelayIsHeldToTheSameRule() {
    binding.withPropertyValues("relay.smtp-secondary.host=backup.example.test",
            "relay.smtp-secondary.username=relay", "relay.smtp-secondary.password=secret")
        .run(context -> assertThat(context).hasFailed().getFailure()
            .satisfies(f -> assertThat(rootCause(f))
                .hasMessageContaining("SMTP provider 'smtp-secondary'")
                .hasMessageContaining("relay.smtp-secondary.start-tls=true")));
  }

  @Test
  void credentialsWithStartTlsOrSmtpsBindAndLocalRelaysNeedNothing() {
    binding.withPropertyValues("relay.smtp.username=relay", "relay.smtp.password=secret",
            "relay.smtp.start-tls=true", "relay.smtp.ca-cert-file=/etc/relay/smtp-ca.pem",
            "relay.smtp-secondary.host=backup.example.test", "relay.smtp-secondary.port=465",
            "relay.smtp-secondary.username=relay", "relay.smtp-secondary.password=secret",
            "relay.smtp-secondary.ssl=true",
            "relay.smtp-secondary.trusted-hosts=backup.example.test")
        .run(context -> {
          assertThat(context).hasNotFailed();
          WorkerProperties p = context.getBean(WorkerProperties.class);
          SmtpSettings primary = p.activitiesSettings().smtp();
          assertThat(primary.startTls()).isTrue();
          assertThat(primary.trust().caCertFile()).isEqualTo("/etc/relay/smtp-ca.pem");
          SmtpSettings secondary = p.activitiesSettings().secondarySmtp();
          assertThat(secondary.ssl()).isTrue();
          assertThat(secondary.trust().trustedHosts()).containsExactly("backup.example.test");
        });
    binding.run(context -> {
      assertThat(context).hasNotFailed();
      SmtpSettings local = context.getBean(WorkerProperties.class).activitiesSettings().smtp();
      assertThat(local.authenticates()).isFalse();
      assertThat(local.encrypted()).isFalse();
      assertThat(local.port()).isEqualTo(1025);
    });
  }

  private static int closedPort() throws java.io.IOException {
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
      return probe.getLocalPort();
    }
  }

  private static Throwable rootCause(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }
}
