package dev.relay.api.deliveries;

import java.util.regex.Pattern;

/** Shapes of the identifiers clients choose or send. */
public final class Ids {
  /** Recipient, template and document IDs. */
  public static final String ID_REGEX = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$";
  public static final Pattern ID = Pattern.compile(ID_REGEX);
  public static final String ID_DESCRIPTION = "1-128 characters of [A-Za-z0-9._:-], starting with a letter or digit";
  /** Purposes of a delivery (what consent is given for), e.g. {@code billing} or {@code legal.notice}. */
  public static final String PURPOSE_REGEX = "^[a-z0-9._-]{1,64}$";
  public static final Pattern PURPOSE = Pattern.compile(PURPOSE_REGEX);
  public static final String PURPOSE_DESCRIPTION = "1-64 characters of [a-z0-9._-]";
  public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
  /** The regular expressions are anchored for OpenAPI; {@code matches()} needs no anchors. */
  public static final String IDEMPOTENCY_KEY_REGEX = "^[A-Za-z0-9._:-]{1,200}$";
  public static final Pattern IDEMPOTENCY_KEY = Pattern.compile(IDEMPOTENCY_KEY_REGEX);
  public static final String IDEMPOTENCY_KEY_DESCRIPTION = "1-200 characters of [A-Za-z0-9._:-]";

  private Ids() {}
}
