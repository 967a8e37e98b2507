-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 006: what the server holds for a sync token's organisation, so that
-- `umbra-case pull` can tell a cursor that cannot be right (a restored
-- backup, an earlier answer from a hostile server) and warn of the quota.
--
-- sync_status  the number of envelopes, their bytes and the highest id.
-- sync_held    the id and SHA-256 of each envelope with an id up to
--              p_upto (the pull's cursor): those a home has pulled and not
--              yet acknowledged, which pull checks against its bundle.
-- Both act only on the token's organisation, as 002's functions, and only
-- umbra_sync may run them.

CREATE FUNCTION sync_status(p_hash bytea)
RETURNS TABLE (n bigint, bytes bigint, max_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT count(*), coalesce(sum(e.size), 0)::bigint,
           coalesce(max(e.id), 0)
    FROM public.envelopes e
    WHERE e.org_id = (SELECT t.org_id FROM public.sync_tokens t
                      WHERE t.hash = p_hash)
$$;

CREATE FUNCTION sync_held(p_hash bytea, p_upto bigint, p_limit integer)
RETURNS TABLE (id bigint, digest bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT e.id, sha256(e.body) FROM public.envelopes e
    WHERE e.org_id = (SELECT t.org_id FROM public.sync_tokens t
                      WHERE t.hash = p_hash)
      AND e.id <= p_upto
    ORDER BY e.id LIMIT least(greatest(p_limit, 1), 100001)
$$;

REVOKE ALL ON FUNCTION sync_status(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION sync_held(bytea, bigint, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync_status(bytea) TO umbra_sync;
GRANT EXECUTE ON FUNCTION sync_held(bytea, bigint, integer) TO umbra_sync;
