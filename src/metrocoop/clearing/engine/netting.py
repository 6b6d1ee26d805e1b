"""Multilateral netting of cross-city obligations and the fewest settlement payments.

Pure engine: obligations ``(debtor, creditor, amount_fen)`` in, positions, the gross matrix and settlement
instructions out. Every amount is integer fen. Source: docs/references.md, "Ledgers and clearing":

- With n parties of non-zero net position at most n − 1 payments are needed (`settle` never exceeds it).
- The minimum is n − (the largest number of disjoint zero-sum groups): a set of payments links the parties
  into connected components; each component's nets must sum to zero and a component of k parties needs at
  least k − 1 payments, while any k − 1 spanning payments inside a zero-sum group suffice.
- Finding those groups is NP-hard in general, but an exact subset DP is milliseconds for n ≤ 20.
- Greedy largest-to-largest pairing (`settle_greedy`) is not always minimal: debtors {10, 3, 3}, creditors
  {6, 5, 5} take 5 greedy payments against an optimum of 4.
- Any plan where each party only pays or only receives moves exactly the sum of the positive nets, which
  is the least value any settlement can move; all plans here have that property.

Sign convention: a net position is **positive when the city receives** (its receivables exceed its payables).

The DP. Order the parties; count the prefixes whose nets sum to zero. The best order's count is the largest
number of disjoint zero-sum groups (each zero prefix closes a group). Over subsets, ``best[S] = [sum(S) = 0] +
max_{i∈S} best[S∖{i}]``, i.e. the longest chain ∅ ⊂ Z₁ ⊂ … ⊂ all of subsets with zero sum. Subset sums are
built with numpy in O(2ⁿ); with real amounts only a few subsets sum to zero, so the chain is found among
those directly; when many do (many equal amounts), the full O(n·2ⁿ) DP runs layer by layer instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np

__all__ = [
    "MAX_EXACT_PARTIES",
    "CityPosition",
    "ClearingResult",
    "SettlementInstruction",
    "SettlementPlan",
    "clear_obligations",
    "gross_matrix",
    "gross_positions",
    "net_positions",
    "settle",
    "settle_brute_force",
    "settle_greedy",
]

#: Above this many non-zero parties `settle` stops being exact (2ⁿ subsets) and falls back to greedy pairing.
MAX_EXACT_PARTIES = 20
# Memory guard: the subset sums alone take 8 · 2ⁿ bytes (128 MiB at n = 24).
_MAX_EXACT_LIMIT = 24
# Up to this many zero-sum subsets the chain is searched among them directly (quadratic in their number).
_CHAIN_SEARCH_LIMIT = 512
# Subset sums are int64; keep a wide margin below 2⁶³.
_MAX_ABS_TOTAL = 2**62

Method = Literal["exact", "greedy", "greedy_fallback", "brute_force"]


@dataclass(frozen=True, slots=True, order=True)
class SettlementInstruction:
    """``payer`` pays ``payee`` ``amount_fen`` (> 0) to settle the period."""

    payer: str
    payee: str
    amount_fen: int


@dataclass(frozen=True, slots=True)
class CityPosition:
    """A city's gross receivable (owed to it), gross payable (owed by it) and net position (receivable − payable)."""

    city: str
    receivable_fen: int
    payable_fen: int

    @property
    def net_fen(self) -> int:
        return self.receivable_fen - self.payable_fen


@dataclass(frozen=True, slots=True)
class SettlementPlan:
    """Settlement instructions with the inputs and steps that explain them.

    Iterating over the plan (or ``len(plan)``) goes over its instructions. ``groups`` are the disjoint
    zero-sum groups that were settled separately (one group for greedy); ``minimal`` says whether the number
    of instructions is proven to be the minimum.
    """

    method: Method
    net_positions: Mapping[str, int]
    instructions: tuple[SettlementInstruction, ...]
    groups: tuple[tuple[str, ...], ...]
    steps: tuple[str, ...]
    minimal: bool

    def __iter__(self) -> Iterator[SettlementInstruction]:
        return iter(self.instructions)

    def __len__(self) -> int:
        return len(self.instructions)

    @property
    def total_fen(self) -> int:
        """Total value moved (equals the sum of the positive nets)."""
        return sum(instruction.amount_fen for instruction in self.instructions)


@dataclass(frozen=True, slots=True)
class ClearingResult:
    """A period's clearing: per-city positions, the gross matrix (debtor → creditor → fen) and the plan."""

    cities: tuple[str, ...]
    positions: Mapping[str, CityPosition]
    matrix: Mapping[str, Mapping[str, int]]
    plan: SettlementPlan

    @property
    def net_positions(self) -> dict[str, int]:
        return {city: position.net_fen for city, position in self.positions.items()}


# --- obligations, positions, matrix ---------------------------------------------------------------------------


def _require_city(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty city code, got {value!r}")
    return value


def _obligation_items(
    obligations: Iterable[tuple[str, str, int]], cities: frozenset[str] | None
) -> Iterator[tuple[str, str, int]]:
    for n, obligation in enumerate(obligations):
        try:
            debtor, creditor, amount = obligation
        except (TypeError, ValueError):
            raise ValueError(f"obligation #{n} must be (debtor, creditor, amount_fen), got {obligation!r}") from None
        _require_city(debtor, f"obligation #{n} debtor")
        _require_city(creditor, f"obligation #{n} creditor")
        if debtor == creditor:
            raise ValueError(f"obligation #{n}: {debtor!r} cannot owe itself")
        if type(amount) is not int:
            raise TypeError(f"obligation #{n}: amount must be an int number of fen, got {amount!r}")
        if amount < 0:
            raise ValueError(f"obligation #{n}: amount must not be negative, got {amount}")
        if cities is not None and (debtor not in cities or creditor not in cities):
            raise ValueError(f"obligation #{n} names a city outside {sorted(cities)}: {debtor!r} → {creditor!r}")
        yield debtor, creditor, amount


def gross_matrix(
    obligations: Iterable[tuple[str, str, int]], cities: Iterable[str] | None = None
) -> dict[str, dict[str, int]]:
    """``matrix[debtor][creditor]`` = total fen the debtor owes the creditor, over every city (zeros included).

    The cities are those named in ``cities`` (if given, obligations must stay inside them) plus those named in
    the obligations, sorted by code. The diagonal is always 0.
    """
    members = None if cities is None else frozenset(_require_city(c, "city") for c in cities)
    totals: dict[tuple[str, str], int] = {}
    seen: set[str] = set(members or ())
    for debtor, creditor, amount in _obligation_items(obligations, members):
        totals[debtor, creditor] = totals.get((debtor, creditor), 0) + amount
        seen.add(debtor)
        seen.add(creditor)
    ordered = sorted(seen)
    return {d: {c: totals.get((d, c), 0) for c in ordered} for d in ordered}


def _positions_from_matrix(matrix: Mapping[str, Mapping[str, int]]) -> dict[str, CityPosition]:
    return {
        city: CityPosition(
            city=city,
            receivable_fen=sum(row[city] for row in matrix.values()),
            payable_fen=sum(matrix[city].values()),
        )
        for city in matrix
    }


def gross_positions(
    obligations: Iterable[tuple[str, str, int]], cities: Iterable[str] | None = None
) -> dict[str, CityPosition]:
    """Per city: gross receivable (column sum of the matrix), gross payable (row sum) and net; sorted by code."""
    return _positions_from_matrix(gross_matrix(obligations, cities))


def net_positions(obligations: Iterable[tuple[str, str, int]], cities: Iterable[str] | None = None) -> dict[str, int]:
    """Net position per city, **positive = receives**; the values sum to zero. Sorted by city code.

    Equals receivable − payable of `gross_positions`. Cities named in ``cities`` appear even with nothing owed.
    """
    members = None if cities is None else frozenset(_require_city(c, "city") for c in cities)
    net: dict[str, int] = dict.fromkeys(members or (), 0)
    for debtor, creditor, amount in _obligation_items(obligations, members):
        net[debtor] = net.get(debtor, 0) - amount
        net[creditor] = net.get(creditor, 0) + amount
    return dict(sorted(net.items()))


# --- settlement -------------------------------------------------------------------------------------------------


def _non_zero_parties(positions: Mapping[str, int]) -> list[tuple[str, int]]:
    total = 0
    parties: list[tuple[str, int]] = []
    for city, net in positions.items():
        _require_city(city, "city")
        if type(net) is not int:
            raise TypeError(f"net position of {city!r} must be an int number of fen, got {net!r}")
        total += net
        if net:
            parties.append((city, net))
    if total != 0:
        raise ValueError(f"net positions sum to {total} fen, not 0")
    parties.sort()
    return parties


def _pair_largest(parties: list[tuple[str, int]]) -> list[SettlementInstruction]:
    """Greedy: the largest payer pays the largest receiver the smaller of the two, until all are settled.

    Each payment settles at least one party and the last settles two, so k parties with zero sum take at most
    k − 1 payments. Ties go to the smaller city code. A pair never meets twice (one side is settled).
    """
    owes = {city: -net for city, net in parties if net < 0}
    gets = {city: net for city, net in parties if net > 0}
    instructions: list[SettlementInstruction] = []
    while owes:
        payer = min(owes, key=lambda city: (-owes[city], city))
        payee = min(gets, key=lambda city: (-gets[city], city))
        amount = min(owes[payer], gets[payee])
        instructions.append(SettlementInstruction(payer=payer, payee=payee, amount_fen=amount))
        owes[payer] -= amount
        gets[payee] -= amount
        if not owes[payer]:
            del owes[payer]
        if not gets[payee]:
            del gets[payee]
    assert not gets, "net positions were checked to sum to zero"
    return instructions


def _fen(amount: int) -> str:
    return f"{amount:,} fen"


def _describe_payments(instructions: Iterable[SettlementInstruction]) -> list[str]:
    return [f"{i.payer} pays {i.payee} {_fen(i.amount_fen)}" for i in instructions]


def _plan(
    method: Method,
    positions: Mapping[str, int],
    parties: list[tuple[str, int]],
    groups: list[list[tuple[str, int]]],
    steps: list[str],
    minimal: bool,
) -> SettlementPlan:
    instructions: list[SettlementInstruction] = []
    for number, group in enumerate(groups, start=1):
        paid = _pair_largest(group)
        instructions.extend(paid)
        if len(groups) > 1:
            members = ", ".join(f"{city} {net:+,}" for city, net in group)
            steps.append(f"group {number} ({members}; sum 0): {len(paid)} payment(s)")
    instructions.sort()
    steps.extend(_describe_payments(instructions))
    moved = sum(instruction.amount_fen for instruction in instructions)
    steps.append(f"{len(instructions)} payment(s) for {len(parties)} party(ies), {_fen(moved)} moved")
    return SettlementPlan(
        method=method,
        net_positions=dict(sorted(positions.items())),
        instructions=tuple(instructions),
        groups=tuple(tuple(city for city, _ in group) for group in groups),
        steps=tuple(steps),
        minimal=minimal,
    )


def settle_greedy(positions: Mapping[str, int]) -> SettlementPlan:
    """Largest payer pays largest receiver, repeatedly: at most n − 1 payments, not always the fewest."""
    parties = _non_zero_parties(positions)
    steps = [
        f"{len(parties)} party(ies) with non-zero net position",
        "greedy: the largest payer pays the largest receiver the smaller amount, until all are settled",
    ]
    # With at most 3 parties no proper subset can sum to zero, so n − 1 is the minimum and greedy reaches it.
    return _plan("greedy", positions, parties, [parties] if parties else [], steps, minimal=len(parties) <= 3)


def _subset_sums(values: list[int]) -> np.ndarray:
    sums = np.zeros(1 << len(values), dtype=np.int64)
    for i, value in enumerate(values):
        sums[1 << i : 1 << (i + 1)] = sums[: 1 << i] + value
    return sums


def _chain_among_zero_subsets(zero_masks: list[int]) -> list[int]:
    """Longest chain of zero-sum subsets by inclusion, ending at the full set (the last, largest mask)."""
    ordered = sorted(zero_masks, key=lambda mask: (mask.bit_count(), mask))
    length: dict[int, int] = {0: 0}
    previous: dict[int, int] = {}
    done = [0]
    for mask in ordered:
        if mask == 0:
            continue
        best, best_sub = -1, 0
        for sub in done:
            if sub & mask == sub and length[sub] > best:
                best, best_sub = length[sub], sub
        length[mask] = best + 1
        previous[mask] = best_sub
        done.append(mask)
    chain = []
    mask = ordered[-1]
    while mask:
        chain.append(mask)
        mask = previous[mask]
    return chain[::-1]


def _chain_by_layers(n: int, sums: np.ndarray) -> list[int]:
    """The O(n·2ⁿ) DP ``best[S] = [sum(S)=0] + max_i best[S∖{i}]``, one popcount layer at a time."""
    size = 1 << n
    popcount = np.zeros(size, dtype=np.int8)
    for i in range(n):
        popcount[1 << i : 1 << (i + 1)] = popcount[: 1 << i] + 1
    order = np.argsort(popcount, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(popcount, minlength=n + 1))))
    is_zero = (sums == 0).astype(np.int8)
    best = np.zeros(size, dtype=np.int8)
    for k in range(1, n + 1):
        masks = order[bounds[k] : bounds[k + 1]]
        layer = np.zeros(len(masks), dtype=np.int8)
        for i in range(n):
            # For masks without bit i this reads layer k + 1, still all zero: harmless under max.
            np.maximum(layer, best[masks ^ (1 << i)], out=layer)
        best[masks] = layer + is_zero[masks]
    chain = []
    mask = size - 1
    while mask:
        if is_zero[mask]:
            chain.append(mask)
        target = best[mask] - is_zero[mask]
        bit = 1
        while not (mask & bit and best[mask ^ bit] == target):
            bit <<= 1
        mask ^= bit
    return chain[::-1]


def _zero_sum_groups(
    parties: list[tuple[str, int]], *, search: Literal["auto", "chain", "layers"] = "auto"
) -> list[list[tuple[str, int]]]:
    """The largest number of disjoint zero-sum groups covering ``parties`` (exact).

    ``search`` picks the algorithm (both exact); "auto" uses the chain search when few subsets sum to zero.
    """
    values = [net for _, net in parties]
    if sum(abs(v) for v in values) >= _MAX_ABS_TOTAL:
        raise OverflowError("net positions too large for exact settlement")
    sums = _subset_sums(values)
    zero_masks = np.flatnonzero(sums == 0)
    if search == "chain" or (search == "auto" and len(zero_masks) <= _CHAIN_SEARCH_LIMIT):
        chain = _chain_among_zero_subsets([int(mask) for mask in zero_masks])
    else:
        chain = _chain_by_layers(len(values), sums)
    groups: list[list[tuple[str, int]]] = []
    previous = 0
    for mask in chain:
        new = mask & ~previous
        groups.append([party for i, party in enumerate(parties) if new >> i & 1])
        previous = mask
    groups.sort()
    return groups


def settle(positions: Mapping[str, int], *, max_exact_parties: int = MAX_EXACT_PARTIES) -> SettlementPlan:
    """Settlement instructions with the fewest payments (exact), each party only paying or only receiving.

    The parties with non-zero net (n of them) are split into the largest number g of disjoint zero-sum groups
    (exact subset DP, see the module docstring); each group of k is settled with k − 1 payments by greedy
    pairing, n − g payments in all, which is the minimum and never more than n − 1. Deterministic: parties are
    ordered by city code, ties go to the smaller code, and instructions are sorted by (payer, payee).

    With more than ``max_exact_parties`` non-zero parties the exact search (2ⁿ subsets) is skipped: the plan
    is greedy (still at most n − 1 payments), ``method`` is ``"greedy_fallback"`` and ``minimal`` is False.
    """
    if max_exact_parties > _MAX_EXACT_LIMIT:
        raise ValueError(f"max_exact_parties above {_MAX_EXACT_LIMIT} would need 2ⁿ subsets of memory")
    parties = _non_zero_parties(positions)
    n = len(parties)
    steps = [f"{n} party(ies) with non-zero net position (parties at zero take no part)"]
    if n > max_exact_parties:
        steps.append(f"more than {max_exact_parties} parties: exact search skipped, greedy pairing used")
        return _plan("greedy_fallback", positions, parties, [parties], steps, minimal=False)
    groups = _zero_sum_groups(parties) if parties else []
    steps.append(
        f"exact subset DP over {2**n:,} subsets: {len(groups)} disjoint zero-sum group(s), "
        f"so the minimum is {n} − {len(groups)} = {n - len(groups)} payment(s)"
    )
    return _plan("exact", positions, parties, groups, steps, minimal=True)


def _forest_flows(edges: tuple[tuple[int, int], ...], need: list[int]) -> list[tuple[tuple[int, int], int]] | None:
    """Amounts on a forest of payments that settle ``need`` exactly with every amount > 0, or None."""
    remaining = list(need)
    incident: dict[int, set[tuple[int, int]]] = {}
    for edge in edges:
        for end in edge:
            incident.setdefault(end, set()).add(edge)
    flows: list[tuple[tuple[int, int], int]] = []
    alive = set(edges)
    leaves = [v for v, es in incident.items() if len(es) == 1]
    while leaves:
        leaf = leaves.pop()
        if len(incident[leaf]) != 1:
            continue
        (edge,) = incident[leaf]
        other = edge[0] if edge[1] == leaf else edge[1]
        amount = remaining[leaf]
        if amount <= 0 or remaining[other] < amount:
            return None
        remaining[leaf] = 0
        remaining[other] -= amount
        incident[leaf].discard(edge)
        incident[other].discard(edge)
        alive.discard(edge)
        flows.append((edge, amount))
        if len(incident[other]) == 1:
            leaves.append(other)
    if alive or any(remaining):
        return None
    return flows


def settle_brute_force(positions: Mapping[str, int], *, max_parties: int = 8) -> SettlementPlan:
    """The fewest payments by exhaustive search, independent of the zero-sum-group argument. Tests only.

    Tries every set of payer → receiver payments of size 1, 2, …; a minimal settlement can always be taken to
    be a forest (a cycle's flow can be shifted until one payment vanishes), whose amounts are fixed by peeling
    leaves, so each set is checked exactly. Exponential in the number of parties.
    """
    parties = _non_zero_parties(positions)
    if len(parties) > max_parties:
        raise ValueError(f"brute force is limited to {max_parties} parties, got {len(parties)}")
    need = [abs(net) for _, net in parties]
    payers = [i for i, (_, net) in enumerate(parties) if net < 0]
    payees = [i for i, (_, net) in enumerate(parties) if net > 0]
    candidates = [(p, q) for p in payers for q in payees]
    steps = [f"{len(parties)} party(ies) with non-zero net position", "exhaustive search over payment forests"]
    for count in range(1 if parties else 0, len(parties)):
        for edges in combinations(candidates, count):
            flows = _forest_flows(edges, need)
            if flows is None:
                continue
            instructions = sorted(
                SettlementInstruction(payer=parties[p][0], payee=parties[q][0], amount_fen=amount)
                for (p, q), amount in flows
            )
            steps.extend(_describe_payments(instructions))
            return SettlementPlan(
                method="brute_force",
                net_positions=dict(sorted(positions.items())),
                instructions=tuple(instructions),
                groups=(),
                steps=tuple(steps),
                minimal=True,
            )
    return SettlementPlan("brute_force", dict(sorted(positions.items())), (), (), tuple(steps), True)


def clear_obligations(
    obligations: Iterable[tuple[str, str, int]],
    cities: Iterable[str] | None = None,
    *,
    max_exact_parties: int = MAX_EXACT_PARTIES,
) -> ClearingResult:
    """A period close in one call: gross matrix, per-city gross receivable/payable/net, and `settle`'s plan."""
    matrix = gross_matrix(obligations, cities)
    positions = _positions_from_matrix(matrix)
    plan = settle({city: p.net_fen for city, p in positions.items()}, max_exact_parties=max_exact_parties)
    return ClearingResult(cities=tuple(matrix), positions=positions, matrix=matrix, plan=plan)
