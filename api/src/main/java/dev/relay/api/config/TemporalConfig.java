package dev.relay.api.config;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.serviceclient.rpcretry.DefaultStubServiceOperationRpcRetryOptions;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The API is a Temporal client only. The stubs connect lazily, so the API starts (and keeps
 * accepting deliveries into PostgreSQL) while Temporal is down.
 */
@Configuration(proxyBeanMethods = false)
public class TemporalConfig {

  @Bean(destroyMethod = "shutdown")
  WorkflowServiceStubs workflowServiceStubs(RelayProperties properties) {
    return WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
        .setTarget(properties.temporal().target())
        .setRpcRetryOptions(DefaultStubServiceOperationRpcRetryOptions.getBuilder()
            .setExpiration(properties.temporal().rpcRetryExpiration())
            .validateBuildWithDefaults())
        .build());
  }

  @Bean
  WorkflowClient workflowClient(WorkflowServiceStubs stubs, RelayProperties properties) {
    return WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder()
        .setNamespace(properties.temporal().namespace())
        .build());
  }
}
