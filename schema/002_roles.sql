-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 002: least-privilege roles.
--
-- umbra_intake  INSERT envelopes and mailboxes, read public org keys, read a
--               mailbox's replies only through mailbox_replies().
-- umbra_sync    no table privilege at all: every read, delete and insert goes
--               through SECURITY DEFINER functions that take the BLAKE2b hash
--               of the caller's bearer token and act only on that token's
--               organisation. A sync connection cannot name another
--               organisation's rows, whatever SQL it sends.
-- The roles can log in but have no password: pg_hba.conf decides who may
-- connect as them (the Unix socket with peer or trust; docs/operations.md).

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'umbra_intake') THEN
        CREATE ROLE umbra_intake LOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'umbra_sync') THEN
        CREATE ROLE umbra_sync LOGIN;
    END IF;
END $$;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO umbra_intake, umbra_sync;

GRANT SELECT (id, slug, name, fingerprint, bundle) ON orgs TO umbra_intake;
GRANT SELECT (org_id, key_id, current) ON org_keys TO umbra_intake;
GRANT INSERT (org_id, size, body) ON envelopes TO umbra_intake;
GRANT USAGE ON SEQUENCE envelopes_id_seq TO umbra_intake;
GRANT INSERT (mailbox_id) ON mailboxes TO umbra_intake;

-- Replies of one mailbox, oldest first (intake: GET /check, mailbox route).
CREATE FUNCTION mailbox_replies(p_mailbox bytea)
RETURNS TABLE (day date, body bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT r.day, r.body FROM public.replies r
    WHERE r.mailbox_id = p_mailbox ORDER BY r.id LIMIT 100
$$;

-- The organisation of a sync token hash, or no row.
CREATE FUNCTION sync_auth(p_hash bytea)
RETURNS TABLE (org_id integer, slug text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT o.id, o.slug FROM public.sync_tokens t
    JOIN public.orgs o ON o.id = t.org_id WHERE t.hash = p_hash
$$;

-- A page of the token's organisation's envelopes after p_after.
CREATE FUNCTION sync_list(p_hash bytea, p_after bigint, p_limit integer)
RETURNS TABLE (id bigint, day date, body bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT e.id, e.day, e.body FROM public.envelopes e
    WHERE e.org_id = (SELECT t.org_id FROM public.sync_tokens t
                      WHERE t.hash = p_hash)
      AND e.id > p_after
    ORDER BY e.id LIMIT least(greatest(p_limit, 1), 1001)
$$;

-- Deletes the token's organisation's envelopes among p_ids; the count.
CREATE FUNCTION sync_ack(p_hash bytea, p_ids bigint[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM public.envelopes e
    WHERE e.org_id = (SELECT t.org_id FROM public.sync_tokens t
                      WHERE t.hash = p_hash)
      AND e.id = ANY (p_ids);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- Stores one reply to a mailbox for the token's organisation. Returns 1,
-- 0 for an unknown mailbox, -1 for an unknown token.
CREATE FUNCTION sync_reply(p_hash bytea, p_mailbox bytea, p_body bytea)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    o integer;
BEGIN
    SELECT t.org_id INTO o FROM public.sync_tokens t WHERE t.hash = p_hash;
    IF o IS NULL THEN
        RETURN -1;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM public.mailboxes m
                   WHERE m.mailbox_id = p_mailbox) THEN
        RETURN 0;
    END IF;
    INSERT INTO public.replies (mailbox_id, org_id, body)
    VALUES (p_mailbox, o, p_body);
    RETURN 1;
END
$$;

GRANT EXECUTE ON FUNCTION mailbox_replies(bytea) TO umbra_intake;
GRANT EXECUTE ON FUNCTION sync_auth(bytea) TO umbra_sync;
GRANT EXECUTE ON FUNCTION sync_list(bytea, bigint, integer) TO umbra_sync;
GRANT EXECUTE ON FUNCTION sync_ack(bytea, bigint[]) TO umbra_sync;
GRANT EXECUTE ON FUNCTION sync_reply(bytea, bytea, bytea) TO umbra_sync;
