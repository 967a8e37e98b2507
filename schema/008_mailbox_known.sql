-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 008: whether a mailbox id is registered, for the reporter's write-back
-- on /check (docs/api.md, POST /api/v1/mailboxes/replies "known"). Only a
-- holder of the lookup id (a secret derived from the receipt) can ask about
-- its mailbox, so the answer tells nobody else anything; a receipt whose
-- mailbox is not known (mistyped, or its mailbox gone) cannot write back.
CREATE FUNCTION mailbox_known(p_mailbox bytea)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT EXISTS (SELECT 1 FROM public.mailboxes m
                   WHERE m.mailbox_id = p_mailbox)
$$;

REVOKE ALL ON FUNCTION mailbox_known(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mailbox_known(bytea) TO umbra_intake;
