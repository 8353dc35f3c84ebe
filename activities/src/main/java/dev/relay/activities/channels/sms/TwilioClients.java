package dev.relay.activities.channels.sms;

import com.twilio.http.NetworkHttpClient;
import com.twilio.http.Request;
import com.twilio.http.Response;
import com.twilio.http.TwilioRestClient;
import dev.relay.activities.config.TwilioSettings;
import java.net.URI;
import java.time.Duration;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;

/**
 * Builds the Twilio REST client: the SDK's own HTTP client (real Basic auth, real form bodies)
 * with our timeouts, no hidden retries, and, when {@link TwilioSettings#apiBaseUrl()} is set,
 * every request routed to that server instead of {@code https://api.twilio.com}. The SDK has no
 * base-URL setting; a route planner keeps the request untouched and only changes where the
 * connection goes (scheme, host and port of the base URL; its path is ignored).
 */
final class TwilioClients {
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_CONNECTIONS = 50;

  private TwilioClients() {}

  static TwilioRestClient create(TwilioSettings settings) {
    Timeout timeout = Timeout.of(
        settings.timeout() == null ? DEFAULT_TIMEOUT : settings.timeout());
    HttpClientBuilder http = HttpClientBuilder.create()
        // Temporal retries, after the send ledger has been consulted; a client-side retry of
        // a POST that timed out could send the SMS twice.
        .disableAutomaticRetries()
        .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
            // one route (Twilio's API host): room for as many concurrent sends as a worker runs
            .setMaxConnPerRoute(MAX_CONNECTIONS)
            .setMaxConnTotal(MAX_CONNECTIONS)
            .setDefaultConnectionConfig(ConnectionConfig.custom()
                .setConnectTimeout(timeout)
                .setSocketTimeout(timeout)
                .build())
            .build());
    // The SDK sets its own RequestConfig on every request (30 s connect, no response timeout);
    // replace it before the connection is made so our timeout governs the whole exchange.
    RequestConfig requestConfig = RequestConfig.custom()
        .setConnectionRequestTimeout(timeout)
        .setResponseTimeout(timeout)
        .build();
    http.addExecInterceptorFirst("relay-timeouts", (request, scope, chain) -> {
      scope.clientContext.setRequestConfig(requestConfig);
      return chain.proceed(request, scope);
    });
    if (settings.apiBaseUrl() != null && !settings.apiBaseUrl().isBlank()) {
      HttpRoute route = route(URI.create(settings.apiBaseUrl()));
      http.setRoutePlanner((target, context) -> route);
    }
    return new TwilioRestClient.Builder(settings.accountSid(), settings.authToken())
        .accountSid(settings.accountSid())
        .httpClient(new SingleTryHttpClient(http))
        .build();
  }

  private static HttpRoute route(URI base) {
    boolean secure = "https".equalsIgnoreCase(base.getScheme());
    int port = base.getPort() > 0 ? base.getPort() : secure ? 443 : 80;
    HttpHost host = new HttpHost(secure ? "https" : "http", base.getHost(), port);
    return new HttpRoute(host, null, secure);
  }

  /**
   * The SDK's client, minus its built-in retry of 5xx answers (three tries, fixed sleeps: a
   * POST retried that way could create the message twice and hides the failure from Temporal).
   * Error answers without a Twilio JSON body (a proxy's HTML page) are given one carrying the
   * HTTP status, so classification always sees the status.
   */
  static final class SingleTryHttpClient extends NetworkHttpClient {
    private static final int[] NO_RETRY_CODES = new int[0];

    SingleTryHttpClient(HttpClientBuilder builder) {
      super(builder);
    }

    @Override
    public Response reliableRequest(Request request, int[] retryCodes, int retries,
        long delayMillis) {
      return super.reliableRequest(request, NO_RETRY_CODES, 1, 0L);
    }

    @Override
    public Response makeRequest(Request request) {
      Response response = super.makeRequest(request);
      if (response.getStatusCode() < 400) {
        return response;
      }
      String content = response.getContent();
      boolean twilioError = content != null && content.stripLeading().startsWith("{");
      String body = twilioError
          ? content
          : "{\"status\":" + response.getStatusCode() + ",\"message\":\"HTTP "
              + response.getStatusCode() + " without a Twilio error body\"}";
      return new Response(body, response.getStatusCode(), response.getHeaders());
    }
  }
}
