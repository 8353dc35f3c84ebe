-- Audit integrity that holds against Relay itself (issue 8). The tables below are append-only
-- like audit_events; the runtime role gets INSERT and SELECT on them only
-- (RelayDatabase.grantRuntime), while this migration runs as the owner role.

-- The audit key (its ID) whose HMAC a row's hash is. Null: a row hashed the old way (plain
-- SHA-256), before this migration.
alter table audit_events add column key_id text;

-- Where each tenant's unkeyed history ends. Rows after it must be keyed: an unkeyed row written
-- later (without the key) is a break.
create table audit_legacy_heads (
  tenant_id   text primary key,
  chain_seq   bigint not null,
  hash        text not null,
  recorded_at timestamptz not null default now()
);
insert into audit_legacy_heads (tenant_id, chain_seq, hash)
  select distinct on (tenant_id) tenant_id, chain_seq, hash
  from audit_events order by tenant_id, chain_seq desc;

-- Signed checkpoints, written by the scheduled verifier after it verified a tenant's chain up to
-- chain_seq: signature = HMAC(key key_id, tenant, chain_seq, hash, created_at).
create table audit_checkpoints (
  tenant_id  text not null,
  chain_seq  bigint not null,
  hash       text not null,
  created_at timestamptz not null,
  key_id     text not null,
  signature  text not null,
  primary key (tenant_id, chain_seq)
);

-- Segments of the chain copied to the off-site object store (rows from..to, inclusive).
create table audit_exports (
  tenant_id      text not null,
  from_chain_seq bigint not null,
  to_chain_seq   bigint not null,
  object_key     text not null,
  sha256         text not null,
  exported_at    timestamptz not null default clock_timestamp(),
  primary key (tenant_id, from_chain_seq)
);

create trigger audit_checkpoints_append_only
  before update or delete on audit_checkpoints
  for each row execute function relay_refuse_change();
create trigger audit_checkpoints_no_truncate
  before truncate on audit_checkpoints
  for each statement execute function relay_refuse_change();
create trigger audit_exports_append_only
  before update or delete on audit_exports
  for each row execute function relay_refuse_change();
create trigger audit_exports_no_truncate
  before truncate on audit_exports
  for each statement execute function relay_refuse_change();
create trigger audit_legacy_heads_append_only
  before update or delete on audit_legacy_heads
  for each row execute function relay_refuse_change();
create trigger audit_legacy_heads_no_truncate
  before truncate on audit_legacy_heads
  for each statement execute function relay_refuse_change();
create trigger consents_no_truncate
  before truncate on consents
  for each statement execute function relay_refuse_change();
