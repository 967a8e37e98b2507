-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 008: `umbra-case purge --closed-older-than DAYS` (store_purge.c) removes
-- a closed case's report text, conversation and notes and keeps its coded
-- facts for statistics; `purged` is the day it did ('' = never), and '*'
-- marks the cases of the purge under way inside its one transaction.
ALTER TABLE cases ADD COLUMN purged TEXT NOT NULL DEFAULT '';
