"""Rules of relations between policy documents (pure): an amendment chain must not loop back on itself."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def amendment_cycle(edges: Iterable[tuple[int, int]], new_edge: tuple[int, int]) -> list[int] | None:
    """If adding `new_edge` (source amends target) to the amendment graph `edges` closes a cycle, the cycle as a
    list of document ids starting and ending at the new source; otherwise None. Depth-first search from the new
    target along existing "amends" edges, looking for the new source."""
    source, target = new_edge
    if source == target:
        return [source, source]
    graph: dict[int, list[int]] = defaultdict(list)
    for a, b in edges:
        graph[a].append(b)
    stack: list[tuple[int, list[int]]] = [(target, [source, target])]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node == source:
            return path
        if node in seen:
            continue
        seen.add(node)
        for nxt in graph.get(node, []):
            stack.append((nxt, [*path, nxt]))
    return None
