-- Purposes a tenant marks non-essential (marketing, newsletters): their emails carry RFC 8058
-- one-click unsubscribe headers. A purpose without a row is essential (invoices, legal notices,
-- results), which is the safe default: no unsubscribe link on a legal notice.
create table purpose_settings (
  tenant_id   text not null references tenants (id),
  purpose     text not null,
  essential   boolean not null,
  updated_at  timestamptz not null default now(),
  primary key (tenant_id, purpose)
);
