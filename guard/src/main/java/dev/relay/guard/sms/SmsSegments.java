package dev.relay.guard.sms;

/**
 * How many SMS segments a text costs, as carriers bill it: GSM-7 when every character is in the
 * GSM 03.38 alphabet (160 septets alone, 153 per part when concatenated; characters of the
 * extension table such as {@code € [ ] { } ~ ^ | \} take two septets), UCS-2 otherwise (70 UTF-16
 * code units alone, 67 per part; an emoji takes two).
 */
public final class SmsSegments {
  private static final String GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001BÆæßÉ !\"#¤%&'()*+,-./"
      + "0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  private static final String GSM_EXTENSION = "^{}\\[~]|€\f";

  private SmsSegments() {}

  /** The encoding and the number of segments of one text. */
  public record Count(String encoding, int units, int segments) {}

  public static Count count(String text) {
    String s = text == null ? "" : text;
    int septets = 0;
    boolean gsm = true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (GSM_BASIC.indexOf(c) >= 0) {
        septets++;
      } else if (GSM_EXTENSION.indexOf(c) >= 0) {
        septets += 2;
      } else {
        gsm = false;
        break;
      }
    }
    if (gsm) {
      return new Count("GSM-7", septets, septets <= 160 ? 1 : ceil(septets, 153));
    }
    int units = s.length();
    return new Count("UCS-2", units, units <= 70 ? 1 : ceil(units, 67));
  }

  private static int ceil(int n, int per) {
    return (n + per - 1) / per;
  }
}
