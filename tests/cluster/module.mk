# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/cluster: the cluster of scripts/cluster.sh (`make cluster`) under
# load while a server, the primary's postmaster and the primary's whole
# node are killed with SIGKILL; every report answered 201 pulled once;
# failover times and intake through one server and two (about 2-3 min).
# Not in SUITES (`make check`): .ci/run runs it after make check.
.PHONY: test-cluster cluster

test-cluster: $(O)/umbra-server $(O)/umbra-case
	@O=$(O) tests/cluster/run.sh

cluster: deps
	@$(MAKE) --no-print-directory all
	@O=$(O) scripts/cluster.sh

# The backup of docs/operations.md restored into a new cluster: pulls
# resume, nothing pulled twice or skipped, replies reach mailboxes.
.PHONY: test-backup
test-backup: $(O)/umbra-server $(O)/umbra-case
	@UMBRA_INTAKE_WINDOW=0 O=$(O) tests/chaos/run.sh tests/cluster/backup_test.py

SUITES += test-backup
