-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 015: retention of the team's case-event log and of alerts (issue 17,
-- "the event log is data too"; docs/operations.md, "Retention"). As 011
-- for envelopes and mailboxes: the server purges on its own
-- (server/mover.c), a bounded batch at a time, through
-- retention_purge_logs(). Days are the only clock.
--
-- events       an event of day D is kept through day D + event_retention_days
--              and purged from the day after, read or not: the server
--              cannot know who still needs it (acks are for envelopes).
-- orgs         events_purged: the highest event id the purge took of that
--              organisation (0: none yet), events_purged_day its day. A
--              member whose cursor is below it has lost events to the
--              purge and is told so (sync_events_expiring(), pull), so it
--              can ask a member who has them for `umbra-case team share`.
-- alerts       an alert is purged alert_retention_days after its expires
--              day, or after the day it was withdrawn if that is earlier;
--              a withdrawal is kept until the alert it withdrew would have
--              expired (its column until) + alert_retention_days, so that
--              the withdrawn alert's file pushed again is stored withdrawn
--              (alert_put below) rather than shown again.

ALTER TABLE orgs ADD COLUMN events_purged bigint NOT NULL DEFAULT 0;
ALTER TABLE orgs ADD COLUMN events_purged_day date;

-- The purge reads the oldest events by day (events_day: a batch is the
-- index's first rows, not a sort of every expired row); the events route
-- counts one organisation's events near their end (events_org_day, with
-- the id: an index-only scan once autovacuum has passed).
-- Events are written by sync_event_put (one row per case event, not on
-- intake's path), so the indexes cost little where they are paid.
CREATE INDEX events_day ON events (day, id);
CREATE INDEX events_org_day ON events (org_id, day, id);

ALTER TABLE alerts ADD COLUMN until date;
UPDATE alerts w SET until = a.expires
FROM alerts a
WHERE w.kind = 'withdrawal' AND a.org_id = w.org_id AND a.id = w.withdraws;
CREATE INDEX alerts_withdraws ON alerts (org_id, withdraws)
    WHERE kind = 'withdrawal';

-- One batch of the purge: at most p_batch events older than p_event_days
-- and at most p_batch alerts and withdrawals past p_alert_days. Several
-- servers on one database run it at once safely: the advisory lock lets
-- one through and the others get NULLs (skipped, not waited for). A days
-- value of 0 keeps that kind for ever. The counts of rows deleted.
CREATE FUNCTION retention_purge_logs(p_event_days integer,
                                     p_alert_days integer, p_batch integer)
RETURNS TABLE (events bigint, alerts bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    lim integer := least(greatest(p_batch, 1), 10000);
    e bigint := 0;
    a bigint := 0;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('umbra.retention_purge_logs'))
    THEN
        RETURN QUERY SELECT NULL::bigint, NULL::bigint;
        RETURN;
    END IF;
    IF p_event_days > 0 THEN
        -- oldest first, so that what is purged is a prefix of each
        -- organisation's log as far as days go
        WITH gone AS (
            DELETE FROM public.events x WHERE x.id IN (
                SELECT y.id FROM public.events y
                WHERE y.day < current_date - p_event_days
                ORDER BY y.day, y.id LIMIT lim)
            RETURNING x.org_id, x.id, x.day),
        per AS (SELECT g.org_id, max(g.id) AS id, max(g.day) AS day,
                       count(*) AS n
                FROM gone g GROUP BY g.org_id),
        mark AS (
            UPDATE public.orgs o
            SET events_purged = greatest(o.events_purged, p.id),
                events_purged_day = greatest(o.events_purged_day, p.day)
            FROM per p WHERE o.id = p.org_id
            RETURNING 1)
        SELECT coalesce(sum(p.n), 0) INTO e FROM per p;
    END IF;
    IF p_alert_days > 0 THEN
        DELETE FROM public.alerts x WHERE (x.org_id, x.id) IN (
            SELECT y.org_id, y.id FROM public.alerts y
            WHERE (y.kind = 'alert' AND
                   (y.expires < current_date - p_alert_days OR
                    y.withdrawn < current_date - p_alert_days))
               OR (y.kind = 'withdrawal' AND
                   coalesce(y.until, y.issued) < current_date - p_alert_days)
            LIMIT lim);
        GET DIAGNOSTICS a = ROW_COUNT;
    END IF;
    RETURN QUERY SELECT e, a;
END
$$;

-- For the token's organisation's event log, seen from a member whose
-- cursor is p_after (with p_days of retention): how many of its events
-- after the cursor the purge takes within p_within days and the first day
-- one goes (NULL when none do), and the highest event id purged so far
-- (0: none). No row for an unknown or removed token.
CREATE FUNCTION sync_events_expiring(p_hash bytea, p_after bigint,
                                     p_days integer, p_within integer)
RETURNS TABLE (n bigint, first_day date, purged_through bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT x.n, x.first_day, o.events_purged
    FROM public.sync_tokens t JOIN public.orgs o ON o.id = t.org_id
    CROSS JOIN LATERAL (
        SELECT count(*) AS n, min(e.day) + p_days + 1 AS first_day
        FROM public.events e
        WHERE p_days > 0 AND e.org_id = o.id AND e.id > p_after
          AND e.day <= current_date + p_within - p_days - 1) x
    WHERE t.hash = p_hash AND t.removed IS NULL
$$;

-- alert_put as in 010, and: a withdrawal notes until when the alert it
-- withdraws would have been shown; an alert whose withdrawal is still
-- held (its own row purged) is stored withdrawn.
CREATE OR REPLACE FUNCTION alert_put(p_hash bytea, p_id text, p_kind text,
                                     p_body bytea, p_issued date,
                                     p_expires date, p_withdraws text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    v_org integer;
    v_body bytea;
    v_until date;
    v_withdrawn date;
BEGIN
    SELECT t.org_id INTO v_org FROM public.sync_tokens t
    WHERE t.hash = p_hash;
    IF v_org IS NULL THEN
        RETURN 'unauthorized';
    END IF;
    -- one push of an id at a time per organisation
    PERFORM pg_advisory_xact_lock(v_org, hashtext(p_id));
    SELECT a.body INTO v_body FROM public.alerts a
    WHERE a.org_id = v_org AND a.id = p_id;
    IF FOUND THEN
        RETURN CASE WHEN v_body = p_body THEN 'same' ELSE 'conflict' END;
    END IF;
    IF p_kind = 'withdrawal' THEN
        UPDATE public.alerts a SET withdrawn = coalesce(a.withdrawn,
                                                       current_date)
        WHERE a.org_id = v_org AND a.id = p_withdraws AND a.kind = 'alert'
        RETURNING a.expires INTO v_until;
        IF NOT FOUND THEN
            RETURN 'unknown_alert';
        END IF;
    ELSE
        SELECT min(w.received) INTO v_withdrawn FROM public.alerts w
        WHERE w.org_id = v_org AND w.kind = 'withdrawal'
          AND w.withdraws = p_id;
    END IF;
    INSERT INTO public.alerts (org_id, id, kind, body, issued, expires,
                               withdraws, withdrawn, until)
    VALUES (v_org, p_id, p_kind, p_body, p_issued, p_expires, p_withdraws,
            v_withdrawn, v_until);
    RETURN 'stored';
END
$$;

REVOKE ALL ON FUNCTION retention_purge_logs(integer, integer, integer)
    FROM PUBLIC;
REVOKE ALL ON FUNCTION sync_events_expiring(bytea, bigint, integer, integer)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION retention_purge_logs(integer, integer, integer)
    TO umbra_intake;
GRANT EXECUTE ON FUNCTION sync_events_expiring(bytea, bigint, integer,
                                               integer)
    TO umbra_sync;
