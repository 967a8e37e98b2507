# SPDX-License-Identifier: AGPL-3.0-or-later
# deploy: the systemd unit and Tor configuration, checked by a test.
SUITES += test-deploy

test-deploy: $(O)/umbra-server
	@tests/deploy/test-deploy.sh
