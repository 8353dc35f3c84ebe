package dev.relay.api.deliveries;

import java.util.regex.Pattern;

/** Shapes of the identifiers clients choose or send. */
public final class Ids {
  /** Recipient, template and document IDs. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
  public static final String ID_DESCRIPTION = "1-128 characters of [A-Za-z0-9._:-], starting with a letter or digit";
  /** Purposes of a delivery (what consent is given for), e.g. {@code billing} or {@code legal.notice}. */
  public static final Pattern PURPOSE = Pattern.compile("[a-z0-9._-]{1,64}");
  public static final String PURPOSE_DESCRIPTION = "1-64 characters of [a-z0-9._-]";
  public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
  public static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,200}");
  public static final String IDEMPOTENCY_KEY_DESCRIPTION = "1-200 characters of [A-Za-z0-9._:-]";

  private Ids() {}
}
