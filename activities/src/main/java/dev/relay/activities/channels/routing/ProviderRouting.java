package dev.relay.activities.channels.routing;

import dev.relay.activities.channels.ChannelProvider;
import dev.relay.activities.config.ProviderPolicy;
import dev.relay.activities.config.RoutingSettings;
import dev.relay.contracts.Channel;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds each channel's {@link ProviderRoute}: one circuit breaker and one rate limiter per
 * provider, configured by provider name, with every breaker transition logged, counted and
 * reported to {@link ProviderEvents}. One instance per worker process: breakers are process-local
 * (each worker judges the providers by its own calls).
 */
public final class ProviderRouting {
  private static final Logger log = LoggerFactory.getLogger(ProviderRouting.class);
  private static final String WORKER = ManagementFactory.getRuntimeMXBean().getName();

  private final RoutingSettings settings;
  private final ProviderEvents events;
  private final ProviderTelemetry telemetry;
  private final Map<String, ProviderGuard> guards = new LinkedHashMap<>();

  /**
   * @param events where registrations and transitions go; {@link ProviderEvents#NONE} for nowhere
   * @param registry where the provider metrics go; null for nowhere
   */
  public ProviderRouting(RoutingSettings settings, ProviderEvents events, MeterRegistry registry) {
    this.settings = settings == null ? RoutingSettings.standard() : settings;
    this.events = events == null ? ProviderEvents.NONE : events;
    this.telemetry = new ProviderTelemetry(registry);
  }

  /** A channel's route over {@code providers}, in the order given. */
  public synchronized <C> ProviderRoute<C> route(Channel channel,
      List<? extends ChannelProvider<C>> providers, boolean failoverWhileInDoubt) {
    List<ProviderRoute.Candidate<C>> candidates = new ArrayList<>();
    for (ChannelProvider<C> provider : providers) {
      if (guards.containsKey(provider.name())) {
        throw new IllegalArgumentException("provider name used twice: " + provider.name());
      }
      ProviderGuard guard = guard(provider.name(), channel, candidates.size());
      guards.put(provider.name(), guard);
      candidates.add(new ProviderRoute.Candidate<>(provider, guard));
    }
    return new ProviderRoute<>(channel, candidates, failoverWhileInDoubt);
  }

  public synchronized Optional<ProviderGuard> guard(String provider) {
    return Optional.ofNullable(guards.get(provider));
  }

  public synchronized Collection<ProviderGuard> guards() {
    return List.copyOf(guards.values());
  }

  private ProviderGuard guard(String name, Channel channel, int position) {
    ProviderPolicy policy = settings.policyFor(name);
    CircuitBreaker breaker = CircuitBreaker.of(name, CircuitBreakerConfig.custom()
        // "Recent" is a time window: a quiet provider is not judged on calls from hours ago.
        .slidingWindow((int) policy.slidingWindow().toSeconds(), policy.minimumCalls(),
            SlidingWindowType.TIME_BASED)
        .failureRateThreshold(policy.failureRateThreshold())
        .slowCallRateThreshold(policy.slowCallRateThreshold())
        .slowCallDurationThreshold(policy.slowCallThreshold())
        .waitDurationInOpenState(policy.waitInOpen())
        .permittedNumberOfCallsInHalfOpenState(policy.halfOpenCalls())
        // Half-open on a timer, not on the next call: the state (and its event) is current even
        // when no send comes along, and the first send after the wait is a trial call.
        .automaticTransitionFromOpenToHalfOpenEnabled(true)
        .writableStackTraceEnabled(false)
        .build());
    RateLimiter limiter = RateLimiter.of(name, RateLimiterConfig.custom()
        .limitForPeriod(policy.rateLimit())
        .limitRefreshPeriod(policy.rateLimitPeriod())
        .timeoutDuration(policy.rateLimitTimeout())
        .writableStackTraceEnabled(false)
        .build());
    ProviderGuard guard =
        new ProviderGuard(name, channel, breaker, limiter, telemetry, policy.waitInOpen());
    breaker.getEventPublisher().onStateTransition(event -> {
      guard.transitioned(event.getStateTransition().getToState());
      String from = event.getStateTransition().getFromState().name();
      String to = event.getStateTransition().getToState().name();
      String detail = describe(breaker) + "worker " + WORKER;
      if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
        log.warn("provider {} ({}) circuit {} -> {}: {}", name, channel, from, to, detail);
      } else {
        log.info("provider {} ({}) circuit {} -> {}: {}", name, channel, from, to, detail);
      }
      telemetry.transition(guard, from, to);
      events.transitioned(name, channel, from, to, event.getCreationTime().toInstant(), detail);
    });
    telemetry.bind(guard);
    events.registered(name, channel, position);
    return guard;
  }

  /** The window's rates, when the new state still has them (an opening breaker does). */
  private static String describe(CircuitBreaker breaker) {
    CircuitBreaker.Metrics m = breaker.getMetrics();
    if (m.getNumberOfBufferedCalls() == 0) {
      return "";
    }
    return String.format(Locale.ROOT, "%d calls in window: %d failed, %d slow, failure rate %s, slow rate %s; ",
        m.getNumberOfBufferedCalls(), m.getNumberOfFailedCalls(), m.getNumberOfSlowCalls(),
        percent(m.getFailureRate()), percent(m.getSlowCallRate()));
  }

  private static String percent(float rate) {
    return rate < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f%%", rate);
  }
}
