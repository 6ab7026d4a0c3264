-- The rights of the role the portal runs as (web, worker, beat) on PostgreSQL.
--
-- Migrations run as the database owner; the portal itself runs as `portal_app`, which
-- may read and write the application's tables but may only read and append to the
-- audit tables: no UPDATE, DELETE or TRUNCATE there, and, not owning them, it cannot
-- drop or disable their append-only triggers either.
--
-- Run as the owner after every `manage.py migrate` (new tables need their grants):
--   psql "$OWNER_DATABASE_URL" -v app_role=portal_app -f deploy/postgres-app-role.sql

GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";

REVOKE UPDATE, DELETE, TRUNCATE
    ON permissions_auditevent, permissions_audithead
    FROM :"app_role";
