"""A custom import-linter contract: no import cycle among the modules of a package, at any depth.

import-linter's own `acyclic_siblings` compares sibling packages (their descendants squashed), so it
misses a package importing its own child that imports it back (a blueprint's `__init__` and its
route modules). This one walks every module's imports, function-level ones included, as grimp reads
them, and reports one shortest cycle per knot.
"""
from __future__ import annotations

import grimp
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def knots(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """The strongly connected groups of more than one module inside `package` (Tarjan, iterative)."""
    inside = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    edges = {m: sorted(n for n in graph.find_modules_directly_imported_by(m) if n in set(inside)) for m in inside}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in inside:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def one_cycle(graph: grimp.ImportGraph, group: list[str]) -> list[str]:
    """A shortest cycle through the first module of a knot: first → … → first."""
    first = group[0]
    best: list[str] | None = None
    for nxt in graph.find_modules_directly_imported_by(first):
        if nxt in group:
            back = graph.find_shortest_chain(importer=nxt, imported=first) or ()
            if back and (best is None or len(back) + 1 < len(best)):
                best = [first, *back]
    return best or group


class AcyclicContract(Contract):
    """No import cycle among the modules of each package in `packages`."""

    type_name = "acyclic"

    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        cycles = [one_cycle(graph, group) for package in self.packages for group in knots(graph, package)]
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error("Import cycle:")
            output.print_error("    " + " -> ".join(cycle), bold=False)
            output.new_line()
