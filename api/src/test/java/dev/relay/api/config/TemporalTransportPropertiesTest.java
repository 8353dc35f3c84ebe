package dev.relay.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What relay.temporal.api-key and relay.temporal.tls.* do to the connection, and their errors. */
class TemporalTransportPropertiesTest {
  static final TemporalTransportProperties.Tls NO_TLS =
      new TemporalTransportProperties.Tls(false, null, null, null, null);

  @Test
  void theLocalDefaultIsPlaintext() {
    WorkflowServiceStubsOptions options = new TemporalTransportProperties(null, NO_TLS)
        .apply(WorkflowServiceStubsOptions.newBuilder().setTarget("localhost:7233")).build();
    assertThat(options.getEnableHttps()).isFalse();
    assertThat(options.getSslContext()).isNull();
    assertThat(options.getGrpcMetadataProviders()).isNullOrEmpty();
  }

  @Test
  void anApiKeyTurnsOnTlsAndSendsTheKey() {
    WorkflowServiceStubsOptions options = new TemporalTransportProperties("cloud-key", NO_TLS)
        .apply(WorkflowServiceStubsOptions.newBuilder().setTarget("ns.acct.tmprl.cloud:7233"))
        .build();
    assertThat(options.getEnableHttps()).isTrue();
    assertThat(options.getGrpcMetadataProviders()).isNotEmpty();
  }

  @Test
  void tlsAloneUsesTheSystemTrustStore() {
    WorkflowServiceStubsOptions options = new TemporalTransportProperties(null,
        new TemporalTransportProperties.Tls(true, null, null, null, "temporal.internal"))
        .apply(WorkflowServiceStubsOptions.newBuilder().setTarget("10.0.0.5:7233")).build();
    assertThat(options.getEnableHttps()).isTrue();
  }

  @Test
  void misconfiguredMutualTlsFailsNamingWhatIsWrong(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> new TemporalTransportProperties(null,
        new TemporalTransportProperties.Tls(true, "/etc/relay/cert.pem", null, null, null))
        .apply(WorkflowServiceStubsOptions.newBuilder()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("client-cert-file").hasMessageContaining("client-key-file");

    assertThatThrownBy(() -> new TemporalTransportProperties(null,
        new TemporalTransportProperties.Tls(true, dir.resolve("missing.pem").toString(),
            dir.resolve("missing.key").toString(), null, null))
        .apply(WorkflowServiceStubsOptions.newBuilder()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("relay.temporal.tls.client-cert-file")
        .hasMessageContaining("cannot be read");

    Path notACa = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
    assertThatThrownBy(() -> new TemporalTransportProperties(null,
        new TemporalTransportProperties.Tls(true, null, null, notACa.toString(), null))
        .apply(WorkflowServiceStubsOptions.newBuilder()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("relay.temporal.tls");
  }
}
