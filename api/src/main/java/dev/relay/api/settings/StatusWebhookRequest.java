package dev.relay.api.settings;

import dev.relay.api.problems.Checks;
import io.swagger.v3.oas.annotations.media.Schema;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** The body of {@code PUT /v1/settings/status-webhook}. */
public record StatusWebhookRequest(
    @Schema(example = "https://hooks.example.com/relay/status",
        description = "an absolute https URL on a public host; status events are POSTed here")
    String url) {

  static final int MAX_URL = 2000;

  /** The URL, checked: absolute http or https with a host, no user info, no fragment. */
  String validUrl(Checks checks) {
    if (!checks.required("url", url)) {
      return null;
    }
    String trimmed = url.trim();
    if (trimmed.length() > MAX_URL) {
      checks.add("url", "must be at most " + MAX_URL + " characters");
      return null;
    }
    URI uri;
    try {
      uri = new URI(trimmed);
    } catch (URISyntaxException e) {
      checks.add("url", "is not a valid URL: " + e.getReason());
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      checks.add("url", "must be an http or https URL");
    } else if (uri.getHost() == null || uri.getHost().isBlank()) {
      checks.add("url", "must name a host");
    } else if (uri.getRawUserInfo() != null) {
      // Credentials in the URL would be stored and logged in clear: signatures authenticate us.
      checks.add("url", "must not carry user info (verify the webhook-signature instead)");
    } else if (uri.getRawFragment() != null) {
      checks.add("url", "must not have a fragment");
    }
    return checks.ok() ? trimmed : null;
  }
}
