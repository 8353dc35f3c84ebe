-- The runtime role the worker and the API connect as. The migrations (run as the owner, relay)
-- grant it what it needs: INSERT and SELECT only on the audit tables.
create role relay_app login password 'relay_app';
