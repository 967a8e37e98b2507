-- Several perpetrators per report (perpetrator.types, protocol.md section
-- 6): cases.perpetrators is the bit set over the perpetrators list (bit i:
-- code i), beside cases.perpetrator (the first, as before). A case from
-- before has the bit of its one perpetrator.
ALTER TABLE cases ADD COLUMN perpetrators INTEGER NOT NULL DEFAULT 0;
UPDATE cases SET perpetrators = 1 << perpetrator
 WHERE perpetrator >= 0 AND perpetrator < 32;
