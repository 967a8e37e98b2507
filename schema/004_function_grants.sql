-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 004: privileges set after the objects exist.
--
-- 002's `REVOKE ALL ON ALL FUNCTIONS ... FROM PUBLIC` ran before its
-- functions were created, and PostgreSQL gives EXECUTE on every new function
-- to PUBLIC: umbra_intake could call sync_*, umbra_sync could call
-- mailbox_replies, and so could any role of a shared cluster. CONNECT and
-- TEMPORARY on the database were PUBLIC's too. From here on:
--
--   functions  EXECUTE for the one role that needs each, nobody else; and
--              functions the owner creates later (migrations 005 on) start
--              with no EXECUTE for PUBLIC: each must be granted here or in
--              its own migration, and tests/integration/roles_test.py fails
--              on a function of schema public that has no row in its table.
--   database   CONNECT for the owner, umbra_intake and umbra_sync only;
--              TEMPORARY for nobody but the owner (as the database's owner).
--   schema     USAGE on public for umbra_intake and umbra_sync only.
--
-- Run as the database's owner (or a superuser): only they can revoke
-- PUBLIC's CONNECT, and the migration fails if it is still there.

ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM umbra_intake, umbra_sync;

-- One line per function: the role that calls it.
GRANT EXECUTE ON FUNCTION mailbox_replies(bytea) TO umbra_intake;
GRANT EXECUTE ON FUNCTION sync_auth(bytea) TO umbra_sync;
GRANT EXECUTE ON FUNCTION sync_list(bytea, bigint, integer) TO umbra_sync;
GRANT EXECUTE ON FUNCTION sync_ack(bytea, bigint[]) TO umbra_sync;
GRANT EXECUTE ON FUNCTION sync_reply(bytea, bytea, bytea) TO umbra_sync;

REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO umbra_intake, umbra_sync;

DO $$
BEGIN
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC',
                   current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I, umbra_intake, '
                   'umbra_sync', current_database(), current_user);
    IF has_database_privilege('public', current_database(), 'CONNECT') OR
       has_database_privilege('public', current_database(), 'TEMPORARY') THEN
        RAISE EXCEPTION 'cannot revoke CONNECT and TEMPORARY on database '
                        '''%'' from PUBLIC: migrate as its owner',
                        current_database();
    END IF;
END $$;
