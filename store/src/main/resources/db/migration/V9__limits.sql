-- Per-tenant limits (issue 9, item 2).
-- tenant_limits: what an admin set for the tenant through PUT /v1/settings/limits. A null column
-- means "the configured default" (relay.limits.*), so changing a default reaches every tenant
-- that did not choose otherwise.
create table tenant_limits (
  tenant_id           text primary key references tenants (id),
  requests_per_key    integer check (requests_per_key > 0),
  requests_per_tenant integer check (requests_per_tenant > 0),
  window_seconds      integer check (window_seconds > 0),
  email_daily         bigint check (email_daily > 0),
  email_monthly       bigint check (email_monthly > 0),
  sms_daily           bigint check (sms_daily > 0),
  sms_monthly         bigint check (sms_monthly > 0),
  updated_at          timestamptz not null default now(),
  updated_by          text not null
);

-- Bucket4j token buckets (request rate limits), shared by every API instance: the serialized
-- bucket state, replaced by compare-and-swap on the whole value. A row past expires_at is a
-- full bucket again and may be overwritten or deleted.
create table rate_limit_buckets (
  id          text primary key,
  state       bytea not null,
  expires_at  timestamptz not null
);
create index rate_limit_buckets_expiry on rate_limit_buckets (expires_at);

-- Delivery quotas: exact counters per tenant, channel and UTC calendar period, incremented in the
-- transaction that accepts the deliveries (so a rejected or replayed request counts nothing).
create table delivery_quota_usage (
  tenant_id     text not null references tenants (id),
  channel       text not null check (channel in ('EMAIL', 'SMS')),
  period        text not null check (period in ('day', 'month')),
  period_start  date not null,
  used          bigint not null check (used >= 0),
  quota_limit   bigint not null,       -- the limit the last counted request was checked against
  primary key (tenant_id, channel, period, period_start)
);
