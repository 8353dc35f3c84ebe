-- API key lifecycle (issue 9): keys made, listed, rotated and revoked through the admin API.
-- A key has a public ID (what the API names it by) and the first characters of its value
-- (so an admin can tell keys apart without Relay ever showing the value again).
alter table api_keys add column id text;
update api_keys set id = 'key_' || substr(key_hash, 1, 20) where id is null;
alter table api_keys alter column id set not null;
create unique index api_keys_id on api_keys (id);

alter table api_keys add column prefix text;                 -- null for configured keys
alter table api_keys add column source text not null default 'bootstrap'
  check (source in ('bootstrap', 'api'));
alter table api_keys add column expires_at timestamptz;      -- null: until revoked
alter table api_keys add column last_used_at timestamptz;    -- written at most once a minute
alter table api_keys add column replaced_by text;            -- the key a rotation made
create index api_keys_tenant on api_keys (tenant_id, created_at);
