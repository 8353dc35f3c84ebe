package dev.relay.activities.channels.routing;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Provider metrics (Prometheus names):
 *
 * <ul>
 *   <li>{@code relay_provider_state{provider,channel}}: 0 closed, 1 half-open, 2 open;
 *   <li>{@code relay_provider_failure_rate} and {@code relay_provider_slow_call_rate}: percent
 *       over the breaker's window, -1 until it holds the minimum number of calls;
 *   <li>{@code relay_provider_waiting_sends}: sends waiting for a rate-limit permit;
 *   <li>{@code relay_provider_calls_total{provider,channel,outcome}}: accepted, rejected
 *       (permanent), failover, retry, ambiguous, error, not_permitted (breaker), rate_limited;
 *   <li>{@code relay_provider_transitions_total{provider,channel,from,to}};
 *   <li>{@code relay_send_possible_duplicates_total{provider,channel}}: resends after an
 *       ambiguous try that the provider could not reconcile (email: same Message-ID).
 * </ul>
 */
final class ProviderTelemetry {
  private final MeterRegistry registry;

  /** @param registry null keeps the meters in a private registry (nothing is exported) */
  ProviderTelemetry(MeterRegistry registry) {
    this.registry = registry == null ? new SimpleMeterRegistry() : registry;
  }

  void bind(ProviderGuard guard) {
    String[] tags = tags(guard);
    Gauge.builder("relay_provider_state", guard.breaker(), b -> code(b.getState()))
        .description("Circuit breaker state: 0 closed, 1 half-open, 2 open")
        .tags(tags).register(registry);
    Gauge.builder("relay_provider_failure_rate", guard.breaker(),
            b -> b.getMetrics().getFailureRate())
        .description("Percent of failed calls in the breaker's window, -1 below minimum calls")
        .tags(tags).register(registry);
    Gauge.builder("relay_provider_slow_call_rate", guard.breaker(),
            b -> b.getMetrics().getSlowCallRate())
        .description("Percent of slow calls in the breaker's window, -1 below minimum calls")
        .tags(tags).register(registry);
    Gauge.builder("relay_provider_waiting_sends", guard.limiter(),
            l -> l.getMetrics().getNumberOfWaitingThreads())
        .description("Sends waiting for a rate-limit permit")
        .tags(tags).register(registry);
  }

  void outcome(ProviderGuard guard, String outcome) {
    Counter.builder("relay_provider_calls")
        .description("Sends per provider and outcome")
        .tags(tags(guard)).tag("outcome", outcome)
        .register(registry).increment();
  }

  void transition(ProviderGuard guard, String from, String to) {
    Counter.builder("relay_provider_transitions")
        .description("Circuit breaker state transitions")
        .tags(tags(guard)).tag("from", from).tag("to", to)
        .register(registry).increment();
  }

  void possibleDuplicate(ProviderGuard guard) {
    Counter.builder("relay_send_possible_duplicates")
        .description("Resends after an ambiguous try the provider could not reconcile")
        .tags(tags(guard))
        .register(registry).increment();
  }

  /** 0 when calls flow, 1 while trial calls decide, 2 when calls are refused. */
  static int code(CircuitBreaker.State state) {
    return switch (state) {
      case CLOSED, DISABLED, METRICS_ONLY -> 0;
      case HALF_OPEN -> 1;
      case OPEN, FORCED_OPEN -> 2;
    };
  }

  private static String[] tags(ProviderGuard guard) {
    return new String[] {"provider", guard.name(), "channel", guard.channel().name()};
  }
}
