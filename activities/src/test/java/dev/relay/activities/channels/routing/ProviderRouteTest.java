package dev.relay.activities.channels.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.activities.channels.ChannelProvider;
import dev.relay.activities.config.RoutingSettings;
import dev.relay.contracts.Channel;
import dev.relay.contracts.activities.SendRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which providers a try may use, in which order. */
class ProviderRouteTest {
  private final ProviderRouting routing =
      new ProviderRouting(RoutingSettings.standard(), ProviderEvents.NONE, null);

  @Test
  void withoutDoubtEveryProviderInConfiguredOrder() {
    ProviderRoute<String> route = routing.route(Channel.EMAIL, providers("a", "b", "c"), true);

    assertThat(names(route.candidates(null))).containsExactly("a", "b", "c");
  }

  @Test
  void inDoubtTheProviderThatMayHaveItIsAskedFirst() {
    ProviderRoute<String> route = routing.route(Channel.EMAIL, providers("a", "b", "c"), true);

    assertThat(names(route.candidates("b"))).containsExactly("b", "a", "c");
  }

  @Test
  void inDoubtOnAChannelThatCannotDedupeAcrossProvidersOnlyThatProvider() {
    ProviderRoute<String> route = routing.route(Channel.SMS, providers("x", "y"), false);

    assertThat(names(route.candidates("y"))).containsExactly("y");
    // A provider that is no longer configured cannot be asked: the others may go.
    assertThat(names(route.candidates("gone"))).containsExactly("x", "y");
  }

  @Test
  void providerNamesAreUnique() {
    routing.route(Channel.EMAIL, providers("same"), true);

    assertThatThrownBy(() -> routing.route(Channel.SMS, providers("same"), false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static List<String> names(List<ProviderRoute.Candidate<String>> candidates) {
    return candidates.stream().map(ProviderRoute.Candidate::name).toList();
  }

  private static List<ChannelProvider<String>> providers(String... names) {
    return java.util.Arrays.stream(names).<ChannelProvider<String>>map(name ->
        new ChannelProvider<>() {
          @Override
          public String name() {
            return name;
          }

          @Override
          public String send(SendRequest request, String content, boolean inDoubt) {
            return name + "-id";
          }
        }).toList();
  }
}
