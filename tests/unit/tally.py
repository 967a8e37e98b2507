# SPDX-License-Identifier: AGPL-3.0-or-later
"""The tally of the Python checks in tests/unit (modules.py,
stats_modules.py): check() counts each check and prints a failed one,
finish() prints the closing line "N passed, N failed" and exits 1 if any
check failed."""
import sys

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL " + what)


def finish():
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)
