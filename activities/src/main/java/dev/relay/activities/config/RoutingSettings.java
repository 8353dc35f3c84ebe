package dev.relay.activities.config;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Provider guarding for all providers, by provider name.
 *
 * @param defaults the policy of every provider not named in {@code providers}
 * @param providers policies of single providers, by name ("smtp-primary", "twilio", ...);
 *     kept under a normalised key (see {@link #policyFor})
 */
public record RoutingSettings(ProviderPolicy defaults, Map<String, ProviderPolicy> providers) {

  /** {@link ProviderPolicy#defaults()} for every provider. */
  public static RoutingSettings standard() {
    return new RoutingSettings(ProviderPolicy.defaults(), Map.of());
  }

  /** Every provider under one policy. */
  public static RoutingSettings of(ProviderPolicy policy) {
    return new RoutingSettings(policy, Map.of());
  }

  public RoutingSettings {
    defaults = defaults == null ? ProviderPolicy.defaults() : defaults;
    Map<String, ProviderPolicy> byKey = new HashMap<>();
    if (providers != null) {
      providers.forEach((name, policy) -> byKey.put(key(name), policy));
    }
    providers = Map.copyOf(byKey);
  }

  /**
   * The policy of {@code provider}. Names match ignoring case and punctuation, so an override
   * set through an environment variable ({@code RELAY_ROUTING_PROVIDERS_SMTPSECONDARY_...},
   * which cannot spell the dash) still finds "smtp-secondary".
   */
  public ProviderPolicy policyFor(String provider) {
    return providers.getOrDefault(key(provider), defaults);
  }

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
  }
}
