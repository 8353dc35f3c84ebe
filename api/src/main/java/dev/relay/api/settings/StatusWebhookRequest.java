package dev.relay.api.settings;

import dev.relay.api.problems.Checks;
import io.swagger.v3.oas.annotations.media.Schema;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** The body of {@code PUT /v1/settings/status-webhook}. */
@Schema(additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
public record StatusWebhookRequest(
    @Schema(example = "https://hooks.example.com/relay/status",
        description = "an absolute https URL on a public host, without user info or fragment "
            + "(http is accepted only under the local-development setting "
            + "relay.webhooks.allow-insecure-local); status events are POSTed here",
        requiredMode = Schema.RequiredMode.REQUIRED, maxLength = MAX_URL, pattern = URL_REGEX)
    String url) {

  /**
   * The URLs {@link #validUrl} accepts, as a pattern (a host of DNS labels whose last label starts
   * with a letter, as java.net.URI requires of a host name; or an IPv4 address).
   */
  static final String URL_REGEX = "^[Hh][Tt][Tt][Pp][Ss]?://"
      + "(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
      + "|(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))"
      + "(?::[0-9]{1,5})?"
      + "(?:/(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})*)*"
      + "(?:\\?(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?$";

  static final int MAX_URL = 2000;

  /** The URL, checked: absolute http or https with a host, no user info, no fragment. */
  String validUrl(Checks checks) {
    if (!checks.required("url", url)) {
      return null;
    }
    // Taken as sent (no trimming): the pattern in the OpenAPI document is the same rule.
    String trimmed = url;
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
