package dev.relay.worker;

import dev.relay.activities.RelayActivities;
import dev.relay.activities.webhooks.WebhookDispatcher;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * Runs the status-webhook dispatcher on Spring's scheduler: one poll of the outbox every
 * {@code relay.webhooks.poll-interval} after the previous one ended (passes never overlap in a
 * process; several workers share the outbox safely). Off with {@code relay.webhooks.enabled=false}.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
@ConditionalOnBooleanProperty(name = "relay.webhooks.enabled", matchIfMissing = true)
public class WebhookDispatchConfiguration implements SchedulingConfigurer, DisposableBean {
  private static final Logger log = LoggerFactory.getLogger(WebhookDispatchConfiguration.class);

  private final WebhookProperties properties;
  private final WebhookDispatcher dispatcher;

  public WebhookDispatchConfiguration(WebhookProperties properties, Jdbi jdbi,
      MeterRegistry registry) {
    this.properties = properties;
    this.dispatcher = RelayActivities.webhookDispatcher(jdbi, properties.settings(), registry,
        properties.policy());
    if (properties.allowInsecureLocal()) {
      log.warn("relay.webhooks.allow-insecure-local=true: status webhooks may use plain http and "
          + "loopback addresses (local development only)");
    }
  }

  @Override
  public void destroy() {
    dispatcher.close();
  }

  @Override
  public void configureTasks(ScheduledTaskRegistrar registrar) {
    Duration interval = properties.pollInterval().compareTo(Duration.ofMillis(50)) < 0
        ? Duration.ofMillis(50)
        : properties.pollInterval();
    registrar.addFixedDelayTask(this::poll, interval);
  }

  private void poll() {
    try {
      WebhookDispatcher.Pass pass = dispatcher.dispatchDue();
      if (pass.claimed() > 0) {
        log.debug("status webhooks: {}", pass);
      }
    } catch (RuntimeException e) {
      // The database may be down: the next poll tries again; claimed events come back after
      // their lease.
      log.warn("status webhook poll failed: {}", e.toString());
    }
  }
}
