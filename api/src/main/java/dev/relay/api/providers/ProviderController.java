package dev.relay.api.providers;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.annotation.Nullable;
import dev.relay.api.auth.Allowed;
import dev.relay.api.problems.Checks;
import dev.relay.store.provider.ProviderEvent;
import dev.relay.store.provider.ProviderEventRepository;
import dev.relay.store.provider.RegisteredProvider;
import dev.relay.store.tenant.Role;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Provider health as the workers recorded it: each provider's circuit-breaker state and its
 * latest transitions. Providers are shared by all tenants, so this is for operators (support,
 * admin), and it names no tenant data. Live rates are in the worker's metrics
 * ({@code relay_provider_*} at the worker's {@code /actuator/prometheus}).
 */
@RestController
@RequestMapping(path = "/v1/providers", produces = MediaType.APPLICATION_JSON_VALUE)
@Allowed(Role.SUPPORT)
@Tag(name = "Providers")
public class ProviderController {
  static final int DEFAULT_TRANSITIONS = 10;
  static final int MAX_TRANSITIONS = 100;
  /** Before any transition a breaker is closed. */
  static final String INITIAL_STATE = "CLOSED";

  private final ProviderEventRepository providers;

  public ProviderController(ProviderEventRepository providers) {
    this.providers = providers;
  }

  /** All providers, by channel and routing order. */
  public record Providers(List<ProviderView> providers) {}

  /**
   * @param state the latest recorded state (CLOSED, OPEN, HALF_OPEN, ...); CLOSED when none
   * @param since when it entered that state; null when it never changed
   * @param transitions the latest transitions, newest first
   */
  public record ProviderView(String name, String channel, int position, String state,
      @Nullable Instant since, List<Transition> transitions) {}

  public record Transition(String from, String to, Instant at, @Nullable String detail) {
    static Transition of(ProviderEvent e) {
      return new Transition(e.fromState(), e.toState(), e.occurredAt(), e.detail());
    }
  }

  @GetMapping
  @Operation(operationId = "listProviders",
      summary = "Each provider's circuit-breaker state and latest transitions",
      description = "State comes from the newest recorded transition of any worker; a provider "
          + "without one is CLOSED.")
  public Providers list(
      @Parameter(description = "transitions per provider (an empty value is a 400, like any "
          + "non-number)", schema = @Schema(type = "integer", format = "int32", minimum = "0",
              maximum = "" + MAX_TRANSITIONS, defaultValue = "" + DEFAULT_TRANSITIONS))
      @RequestParam(required = false) String transitions) {
    int limit = transitions(transitions);
    return new Providers(providers.providers().stream().map(p -> view(p, limit)).toList());
  }

  private ProviderView view(RegisteredProvider provider, int limit) {
    // At least the newest transition is needed for the state, even when none are shown.
    List<ProviderEvent> recent = providers.recent(provider.name(), Math.max(1, limit));
    ProviderEvent latest = recent.isEmpty() ? null : recent.get(0);
    return new ProviderView(provider.name(), provider.channel(), provider.position(),
        latest == null ? INITIAL_STATE : latest.toState(),
        latest == null ? null : latest.occurredAt(),
        recent.stream().limit(limit).map(Transition::of).toList());
  }

  private static int transitions(String value) {
    if (value == null) {
      return DEFAULT_TRANSITIONS;
    }
    Checks checks = new Checks();
    int limit = -1;
    try {
      limit = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      // reported below
    }
    if (limit < 0 || limit > MAX_TRANSITIONS) {
      checks.add("transitions", "must be a whole number between 0 and " + MAX_TRANSITIONS);
    }
    checks.throwIfAny();
    return limit;
  }
}
