"""Print the walk's counts at the end of the run (they are also in docs/realworld-walk.md)."""
from __future__ import annotations


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    from tests.realworld.test_walk import WALK_REPORT

    lines = config.stash.get(WALK_REPORT, None)
    if lines:
        terminalreporter.section("walk over real-world calendars")
        for line in lines:
            terminalreporter.write_line(line)
