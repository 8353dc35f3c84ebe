package dev.relay.api.recipients;

import dev.relay.api.problems.Checks;
import dev.relay.contracts.Channel;
import dev.relay.store.recipient.ContactPoint;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The body of {@code PUT /v1/recipients/{id}}: replaces the recipient and its contact points. */
@Schema(additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
public record RecipientRequest(
    @Schema(example = "Ada Lovelace", maxLength = 200) String displayName,
    @Schema(description = "Default true") Boolean active,
    @ArraySchema(arraySchema = @Schema(description = "The contact points (omit for none): at most "
        + "one per channel"), maxItems = 2) List<Contact> contacts) {

  /**
   * @param address an email address for EMAIL, an E.164 number (+15551234567) for SMS
   * @param suppressedReason set when sends must stop (hard bounce, opt-out, invalid number)
   */
  @Schema(description = "A contact point: an email address for EMAIL (at most 254 characters), "
      + "an E.164 number for SMS", additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
  public record Contact(
      @Schema(allowableValues = {"EMAIL", "SMS"}, requiredMode = Schema.RequiredMode.REQUIRED)
      String channel,
      @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "ada@example.com")
      String address,
      @Schema(description = "Default false") Boolean verified,
      @Schema(description = "Set when sends must stop (hard bounce, opt-out, invalid number)",
          maxLength = 200)
      String suppressedReason) {}

  /** A pragmatic address check: one @, a dotted domain of valid labels, no spaces. */
  public static final String EMAIL_REGEX =
      "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
          + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$";
  public static final String E164_REGEX = "^\\+[1-9][0-9]{1,14}$";
  static final Pattern EMAIL = Pattern.compile(EMAIL_REGEX);
  static final Pattern E164 = Pattern.compile(E164_REGEX);

  public List<ContactPoint> validate(Checks checks) {
    checks.maxLength("displayName", displayName, 200);
    List<ContactPoint> out = new ArrayList<>();
    if (contacts == null) {
      return out;
    }
    if (contacts.size() > Channel.values().length) {
      checks.add("contacts", "must have at most one contact point per channel");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < contacts.size(); i++) {
      String at = "contacts[" + i + "]";
      Contact c = contacts.get(i);
      if (c == null) {
        checks.add(at, "must not be null");
        continue;
      }
      boolean ok = true;
      Channel channel = null;
      if (checks.required(at + ".channel", c.channel())) {
        for (Channel ch : Channel.values()) {
          if (ch.name().equals(c.channel())) {
            channel = ch;
          }
        }
        if (channel == null) {
          checks.add(at + ".channel", "must be one of EMAIL, SMS");
          ok = false;
        } else if (!seen.add(channel.name())) {
          checks.add(at + ".channel", "duplicates " + channel + ": one contact point per channel");
          ok = false;
        }
      } else {
        ok = false;
      }
      if (checks.required(at + ".address", c.address())) {
        if (channel == Channel.EMAIL
            && (Checks.length(c.address()) > 254 || !EMAIL.matcher(c.address()).matches())) {
          checks.add(at + ".address", "must be an email address");
          ok = false;
        } else if (channel == Channel.SMS && !E164.matcher(c.address()).matches()) {
          checks.add(at + ".address", "must be an E.164 phone number such as +15551234567");
          ok = false;
        }
      } else {
        ok = false;
      }
      checks.maxLength(at + ".suppressedReason", c.suppressedReason(), 200);
      if (ok) {
        String suppressed = c.suppressedReason() == null || c.suppressedReason().isBlank()
            ? null : c.suppressedReason();
        out.add(new ContactPoint(channel.name(), c.address(), Boolean.TRUE.equals(c.verified()),
            suppressed));
      }
    }
    return out;
  }
}
