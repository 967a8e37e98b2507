# deploy: the systemd unit and Tor configuration, checked by a test.
SUITES += test-deploy

test-deploy: $(O)/umbra-server
	@tests/deploy/test-deploy.sh
