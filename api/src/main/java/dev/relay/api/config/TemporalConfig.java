package dev.relay.api.config;

import dev.relay.codec.SealedDataConverter;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.converter.DataConverter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.serviceclient.rpcretry.DefaultStubServiceOperationRpcRetryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The API is a Temporal client only. The stubs connect lazily, so the API starts (and keeps
 * accepting deliveries into PostgreSQL) while Temporal is down.
 */
@Configuration(proxyBeanMethods = false)
public class TemporalConfig {
  private static final Logger log = LoggerFactory.getLogger(TemporalConfig.class);

  @Bean(destroyMethod = "shutdown")
  WorkflowServiceStubs workflowServiceStubs(RelayProperties properties,
      TemporalTransportProperties transport) {
    return WorkflowServiceStubs.newServiceStubs(transport.apply(WorkflowServiceStubsOptions.newBuilder()
        .setTarget(properties.temporal().target())
        .setRpcRetryOptions(DefaultStubServiceOperationRpcRetryOptions.getBuilder()
            .setExpiration(properties.temporal().rpcRetryExpiration())
            .validateBuildWithDefaults()))
        .build());
  }

  /**
   * Seals every payload the API sends to Temporal (workflow inputs, updates, signals, summaries)
   * with the keyring of relay.codec; fails the start when relay.codec.required and no key.
   */
  @Bean
  DataConverter relayDataConverter(CodecProperties codec) {
    log.info(codec.settings().describe());
    return SealedDataConverter.create(codec.settings());
  }

  @Bean
  WorkflowClient workflowClient(WorkflowServiceStubs stubs, RelayProperties properties,
      DataConverter relayDataConverter) {
    return WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder()
        .setNamespace(properties.temporal().namespace())
        .setDataConverter(relayDataConverter)
        .build());
  }
}
