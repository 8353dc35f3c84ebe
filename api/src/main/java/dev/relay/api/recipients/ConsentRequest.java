package dev.relay.api.recipients;

import dev.relay.api.problems.Checks;
import dev.relay.contracts.Channel;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Map;
import java.util.TreeMap;

/** The body of {@code PUT /v1/recipients/{id}/consents/{purpose}}: a new consent version. */
@Schema(additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
public record ConsentRequest(
    @Schema(description = "Per channel (EMAIL, SMS): granted (true) or withdrawn (false); "
        + "channels not named keep their state from the previous version",
        example = "{\"EMAIL\": true, \"SMS\": false}", requiredMode = Schema.RequiredMode.REQUIRED,
        minProperties = 1)
    Map<String, Boolean> channels,
    @Schema(description = "Where the consent came from", example = "web-form",
        requiredMode = Schema.RequiredMode.REQUIRED, pattern = Checks.TEXT_REGEX, maxLength = 200)
    String source,
    @Schema(description = "What proves it (form submission ID, signed document, ...)",
        maxLength = 2000) String evidence) {

  public Map<String, Boolean> validate(Checks checks) {
    Map<String, Boolean> out = new TreeMap<>();
    if (channels == null || channels.isEmpty()) {
      checks.add("channels", "must name at least one channel (EMAIL, SMS)");
    } else {
      channels.forEach((name, granted) -> {
        boolean known = false;
        for (Channel c : Channel.values()) {
          known |= c.name().equals(name);
        }
        if (!known) {
          checks.add("channels." + name, "is not a channel (EMAIL, SMS)");
        } else if (granted == null) {
          checks.add("channels." + name, "must be true or false");
        } else {
          out.put(name, granted);
        }
      });
    }
    if (checks.required("source", source)) {
      checks.maxLength("source", source, 200);
    }
    checks.maxLength("evidence", evidence, 2000);
    return out;
  }
}
