package dev.relay.api.config;

import dev.relay.guard.net.HostResolver;
import dev.relay.guard.net.OutboundPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Where tenant-supplied URLs (status webhooks) may point: the guard's outbound policy. */
@Configuration(proxyBeanMethods = false)
public class OutboundConfig {
  private static final Logger log = LoggerFactory.getLogger(OutboundConfig.class);

  /** The system resolver; tests give their own. */
  @Bean
  HostResolver hostResolver() {
    return HostResolver.SYSTEM;
  }

  @Bean
  OutboundPolicy webhookUrlPolicy(HostResolver resolver, WebhookUrlProperties properties) {
    if (properties.allowInsecureLocal()) {
      log.warn("relay.webhooks.allow-insecure-local=true: status webhook URLs may be plain http "
          + "and on loopback (local development only)");
    }
    return new OutboundPolicy(resolver, properties.allowInsecureLocal());
  }
}
