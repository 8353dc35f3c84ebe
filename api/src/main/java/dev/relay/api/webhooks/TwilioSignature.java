package dev.relay.api.webhooks;

import com.twilio.security.RequestValidator;
import dev.relay.api.config.RelayProperties;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/**
 * Checks {@code X-Twilio-Signature} with the Twilio SDK's {@link RequestValidator}: HMAC-SHA1,
 * keyed with the auth token, over the URL Twilio called (the configured public base URL, the path
 * and the query) followed by the sorted form parameters of the body.
 */
@Component
public class TwilioSignature {
  private final RelayProperties properties;

  public TwilioSignature(RelayProperties properties) {
    this.properties = properties;
  }

  /** The form parameters of the body (query parameters excluded), one value each. */
  public static Map<String, String> formParameters(HttpServletRequest request) {
    Map<String, Integer> inQuery = new HashMap<>();
    String query = request.getQueryString();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
        inQuery.merge(decode(name), 1, Integer::sum);
      }
    }
    Map<String, String> form = new TreeMap<>();
    request.getParameterMap().forEach((name, values) -> {
      // The container lists query values first, then the body's.
      int skip = inQuery.getOrDefault(name, 0);
      List<String> body = new ArrayList<>();
      for (int i = skip; i < values.length; i++) {
        body.add(values[i]);
      }
      if (!body.isEmpty()) {
        form.put(name, body.get(body.size() - 1));
      }
    });
    return form;
  }

  /** URL-decodes a query component; a malformed escape is kept as it is. */
  static String decode(String component) {
    try {
      return URLDecoder.decode(component, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return component;
    }
  }

  /** The URL Twilio signed: public base URL + path (+ "?" + raw query). */
  public String signedUrl(HttpServletRequest request) {
    String base = properties.twilio().webhookBaseUrl();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    String query = request.getQueryString();
    return base + request.getRequestURI() + (query == null ? "" : "?" + query);
  }

  public boolean valid(HttpServletRequest request, Map<String, String> form, String signature) {
    String token = properties.twilio().authToken();
    if (token == null || token.isBlank() || signature == null || signature.isBlank()) {
      return false;
    }
    return new RequestValidator(token).validate(signedUrl(request), form, signature);
  }
}
