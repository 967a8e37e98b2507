-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 017: what a caseworker's pull is told of its organisation's alert quota
-- (issue 17, many organisations on one host; docs/operations.md, "Many
-- organisations on one host"). Migration 016 refuses a new alert past the
-- quota; until now nothing told the organisation it was near.
--
-- sync_alerts_held  the number of alert rows the token's organisation
--                   holds (alerts and withdrawals, live, expired or
--                   withdrawn: what alert_put counts against the quota)
--                   and its own quota (orgs.max_alerts, NULL: the
--                   server's quota_alerts). No row for an unknown token
--                   (the route has checked the token before, as for
--                   sync_status). Counts only: no id, no day.

CREATE FUNCTION sync_alerts_held(p_hash bytea)
RETURNS TABLE (n bigint, max_alerts bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT (SELECT count(*) FROM public.alerts a WHERE a.org_id = o.id),
           o.max_alerts
    FROM public.sync_tokens t JOIN public.orgs o ON o.id = t.org_id
    WHERE t.hash = p_hash
$$;

REVOKE ALL ON FUNCTION sync_alerts_held(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync_alerts_held(bytea) TO umbra_sync;
