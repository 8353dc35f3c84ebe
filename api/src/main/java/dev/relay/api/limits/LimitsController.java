package dev.relay.api.limits;

import dev.relay.api.auth.Allowed;
import dev.relay.api.config.LimitsProperties;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.Checks;
import dev.relay.store.limits.QuotaPeriod;
import dev.relay.store.limits.QuotaRepository;
import dev.relay.store.limits.TenantLimits;
import dev.relay.store.limits.TenantLimitsRepository;
import dev.relay.store.tenant.ApiKeyPrincipal;
import dev.relay.store.tenant.Role;
import dev.relay.store.tenant.TenantRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.annotation.Nullable;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The tenant's request rate limits and delivery quotas. Admins only; every change is audited
 * (step {@code limits}, old and new values).
 */
@RestController
@RequestMapping(path = "/v1/settings/limits", produces = MediaType.APPLICATION_JSON_VALUE)
@Allowed(Role.ADMIN)
@Tag(name = "Settings")
public class LimitsController {
  private final TenantLimitsRepository settings;
  private final QuotaRepository quotas;
  private final RateLimits limits;
  private final LimitsProperties properties;
  private final TenantRepository tenants;

  public LimitsController(TenantLimitsRepository settings, QuotaRepository quotas,
      RateLimits limits, LimitsProperties properties, TenantRepository tenants) {
    this.settings = settings;
    this.quotas = quotas;
    this.limits = limits;
    this.properties = properties;
    this.tenants = tenants;
  }

  /**
   * The limits as they apply, what the tenant set (null: the default), and this period's usage.
   *
   * @param enabled false when limits are off for the whole deployment (relay.limits.enabled)
   * @param usage channel → {"day": n, "month": n} counted in the current UTC day and month
   */
  public record LimitsView(boolean enabled, EffectiveLimits effective, TenantLimitsSet set,
      Map<String, Map<String, Long>> usage, @Nullable Instant updatedAt,
      @Nullable String updatedBy) {}

  /** What the tenant set; null fields follow the configured default. */
  public record TenantLimitsSet(@Nullable Integer requestsPerKey,
      @Nullable Integer requestsPerTenant, @Nullable Integer windowSeconds,
      @Nullable Long emailDaily, @Nullable Long emailMonthly, @Nullable Long smsDaily,
      @Nullable Long smsMonthly) {}

  @GetMapping
  @Operation(operationId = "getLimits",
      summary = "The tenant's request rate limits and delivery quotas, and this day's and month's usage")
  public LimitsView get(@Parameter(hidden = true) ApiKeyPrincipal caller) {
    return view(caller.tenantId(), settings.find(caller.tenantId()));
  }

  @PutMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(operationId = "putLimits",
      summary = "Set the tenant's limits (absent fields: the configured default)",
      description = "Replaces all settings. 400 naming every bad field (each must be from 1 to "
          + "its maximum); 422 when a daily quota is above its monthly one. A changed request limit "
          + "starts a fresh bucket; quotas apply to the next acceptance. Other API instances use "
          + "the new values within relay.limits.settings-cache. Audited.")
  @ApiResponse(responseCode = "200", description = "The limits as they now apply")
  @ApiResponse(responseCode = "404", description = "The key's tenant no longer exists")
  @ApiResponse(responseCode = "422", description = "A daily quota above its monthly one")
  public LimitsView put(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @RequestBody LimitsRequest body) {
    Checks checks = new Checks();
    TenantLimits wanted = body.valid(checks);
    checks.throwIfAny();
    body.requireConsistent();
    if (tenants.findTenant(caller.tenantId()).isEmpty()) {
      throw ApiProblem.notFound("Tenant", caller.tenantId());
    }
    TenantLimits stored = settings.save(caller.tenantId(), wanted, "admin:" + caller.name()
        + (caller.keyId() == null ? "" : " (" + caller.keyId() + ")"));
    limits.invalidate(caller.tenantId());
    return view(caller.tenantId(), stored);
  }

  private LimitsView view(String tenantId, TenantLimits set) {
    Map<String, Map<String, Long>> usage = new LinkedHashMap<>();
    quotas.usage(tenantId, Instant.now()).forEach((channel, byPeriod) -> {
      Map<String, Long> m = new LinkedHashMap<>();
      m.put(QuotaPeriod.DAY.dbValue(), byPeriod.getOrDefault(QuotaPeriod.DAY, 0L));
      m.put(QuotaPeriod.MONTH.dbValue(), byPeriod.getOrDefault(QuotaPeriod.MONTH, 0L));
      usage.put(channel, m);
    });
    return new LimitsView(properties.enabled(), EffectiveLimits.of(set, properties),
        new TenantLimitsSet(set.requestsPerKey(), set.requestsPerTenant(), set.windowSeconds(),
            set.emailDaily(), set.emailMonthly(), set.smsDaily(), set.smsMonthly()),
        usage, set.updatedAt(), set.updatedBy());
  }
}
