"""The layout's "never" rules (pyproject's [tool.importlinter]) hold, and the cycle contract sees every cycle."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

from tests.import_contracts import AcyclicContract, knots, one_cycle


def graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    g = grimp.ImportGraph()
    for importer, imported in imports:
        g.add_import(importer=importer, imported=imported)
    return g


def test_a_package_importing_its_child_that_imports_it_back_is_a_cycle():
    g = graph(("pkg.api", "pkg.api.routes"), ("pkg.api.routes", "pkg.api"), ("pkg.api.routes", "pkg.models"))
    assert knots(g, "pkg") == [["pkg.api", "pkg.api.routes"]]


def test_a_long_cycle_is_reported_by_its_shortest_loop_and_a_chain_is_not_a_cycle():
    g = graph(("pkg.a", "pkg.b"), ("pkg.b", "pkg.c"), ("pkg.c", "pkg.a"), ("pkg.c", "pkg.d"), ("pkg.d", "outside"))
    [group] = knots(g, "pkg")
    assert one_cycle(g, group) == ["pkg.a", "pkg.b", "pkg.c", "pkg.a"]
    assert knots(graph(("pkg.a", "pkg.b"), ("pkg.b", "pkg.c")), "pkg") == []


def test_the_contract_is_broken_by_a_cycle_and_kept_without_one():
    contract = AcyclicContract(name="acyclic", session_options={}, contract_options={"packages": ["pkg"]})
    assert not contract.check(graph(("pkg.a", "pkg.b"), ("pkg.b", "pkg.a")), verbose=False).kept
    assert contract.check(graph(("pkg.a", "pkg.b")), verbose=False).kept


def test_webapp_keeps_every_import_contract():
    # In its own process: lint-imports sets up output and logging of its own.
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=Path(__file__).parents[2], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
