"""Small-cell suppression: which counts an analyst may not see.

The rule (see the package docstring for where it is applied):

* Primary: a count below the threshold T is shown as "< T". A count of 1 to T-1
  is *sensitive*: it must never be recoverable. (Zero is shown as "< T" too,
  but knowing that nobody gave an answer identifies no one.)
* Secondary: the figures are tied together by additive relations, e.g. the
  scale points of an item add up to its valid n, the sectors add up to all
  sectors, applied + not applied + unknown = respondents. Some parts of a
  relation are never shown (a complement such as "did not apply"); they count as
  hidden from the start. In every relation that has a sensitive hidden member
  the hidden members must number at least two and, when the total is shown, add
  up to at least T; otherwise the smallest shown part (else the total) is hidden
  too. This repeats until nothing changes.
* Audit: a sensitive count can still follow from several relations together
  (a chain of totals and complements). An exact linear-algebra check over the
  hidden cells finds every count that is determined by what is shown, and hides
  a further cell next to it, until none is.
* Date filters: a filtered view is a sum of whole months. The hidden pattern of
  a filtered view is computed over every month of the data and the view at once
  and is the same for every date range, so the difference of two ranges (or of a
  range and the whole period) is a sum of months whose hidden cells stay hidden.

Everything here is pure Python over dictionaries of counts, so the rules can
be tested on hand-built tables.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

Key = Hashable


@dataclass(frozen=True)
class Relation:
    """total = sum(parts)."""

    total: Key
    parts: tuple[Key, ...]

    @property
    def members(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


@dataclass
class Structure:
    """The cells of a table and how they add up.

    `displayed` cells may be shown; every other cell of a relation is never
    shown. `insensitive` cells are never shown and are not protected either
    (non-response remainders such as "did not answer this question").
    """

    relations: list[Relation]
    displayed: set[Key]
    insensitive: set[Key]
    _protectors: dict[int, Protector] = field(default_factory=dict, repr=False)

    def protector(self, threshold: int) -> Protector:
        """One per threshold: it caches what it learns about the structure."""
        if threshold not in self._protectors:
            self._protectors[threshold] = Protector(self, threshold)
        return self._protectors[threshold]

    def keys(self) -> list[Key]:
        seen: dict[Key, None] = {}
        for relation in self.relations:
            for key in relation.members:
                seen.setdefault(key, None)
        for key in self.displayed:
            seen.setdefault(key, None)
        return list(seen)


class Protector:
    def __init__(self, structure: Structure, threshold: int) -> None:
        self.structure = structure
        self.threshold = threshold
        self.order = {key: i for i, key in enumerate(structure.keys())}
        # The relations of a set of hidden cells follow from the set: cache.
        self._pinned_cache: dict[frozenset, list[Key]] = {}
        self.by_key: dict[Key, list[Relation]] = defaultdict(list)
        for relation in structure.relations:
            for key in relation.members:
                self.by_key[key].append(relation)
        self.position = {id(r): i for i, r in enumerate(structure.relations)}

    def sensitive(self, key: Key, value: int) -> bool:
        return key not in self.structure.insensitive and 0 < value < self.threshold

    def hidden_in(self, view: Mapping[Key, int], common: set[Key]) -> set[Key]:
        """The cells hidden in one view: the common pattern plus its small ones."""
        small = {
            key for key in self.structure.displayed if view.get(key, 0) < self.threshold
        }
        return common | small

    def protect(self, views: Sequence[Mapping[Key, int]]) -> set[Key]:
        """The pattern hidden in every view (see the module docstring)."""
        keys = self.order
        common = {key for key in keys if key not in self.structure.displayed}
        common |= {
            key
            for key in keys
            if any(self.sensitive(key, view.get(key, 0)) for view in views)
        }
        while True:
            added = self._secondary(views, common)
            if not added:
                added = self._audit(views, common)
            if not added:
                return common
            common |= added

    # -- Secondary suppression, relation by relation ---------------------------

    def _secondary(
        self, views: Sequence[Mapping[Key, int]], common: set[Key]
    ) -> set[Key]:
        added: set[Key] = set()
        for view in views:
            hidden = self.hidden_in(view, common | added)
            if not any(self.sensitive(k, view.get(k, 0)) for k in hidden):
                continue
            derived, stale = self._derivable(hidden), []
            for relation in self.structure.relations:
                extra = self._needs(relation, view, hidden, derived)
                if extra is not None and stale:
                    # Decide on up-to-date knowledge only: update it, look again.
                    derived, stale = self._rederive(derived, hidden, stale), []
                    extra = self._needs(relation, view, hidden, derived)
                if extra is not None:
                    added.add(extra)
                    hidden.add(extra)
                    stale.append(extra)
        return added

    def _derivable(
        self, hidden: set[Key], relations: Sequence[Relation] | None = None
    ) -> dict[Key, Relation]:
        """Hidden cells an analyst can work out, each with a relation giving it.

        A relation with one unknown member gives that member; that may leave
        another relation with one unknown, and so on. `relations` limits the
        work to some components of the hidden cells (see _rederive).
        """
        if relations is None:
            relations = self.structure.relations
        derived: dict[Key, Relation] = {}
        open_members: dict[int, int] = {}
        queue = []
        for relation in relations:
            count = sum(1 for key in relation.members if key in hidden)
            open_members[id(relation)] = count
            if count == 1:
                queue.append(relation)
        while queue:
            relation = queue.pop()
            if open_members[id(relation)] != 1:
                continue
            key = next(k for k in relation.members if k in hidden and k not in derived)
            derived[key] = relation
            for other in self.by_key[key]:
                open_members[id(other)] -= 1
                if open_members[id(other)] == 1:
                    queue.append(other)
        return derived

    def _rederive(
        self, derived: dict[Key, Relation], hidden: set[Key], added: list[Key]
    ) -> dict[Key, Relation]:
        """`_derivable(hidden)` after `added` joined the hidden cells of `derived`.

        What can be worked out in one component of the hidden cells (linked
        through relations) does not depend on the others, so only the
        components of the added cells are derived again. Even the relation
        that gives each cell is the same as in a full derivation: there, a
        relation of one component only ever queues relations of the same
        component, so taking the component's relations alone, in the
        structure's order, takes them from the queue in the same order.
        """
        cells: set[Key] = set()
        relations: dict[int, Relation] = {}
        for key in added:
            if key not in cells:
                component, linked = self._component(key, hidden)
                cells.update(component)
                relations.update((id(r), r) for r in linked)
        kept = {key: r for key, r in derived.items() if key not in cells}
        ordered = sorted(relations.values(), key=lambda r: self.position[id(r)])
        return kept | self._derivable(hidden, ordered)

    def _needs(
        self,
        relation: Relation,
        view: Mapping[Key, int],
        hidden: set[Key],
        derived: dict[Key, Relation],
    ) -> Key | None:
        """A further cell to hide for this relation's sake, or None."""
        for key in relation.members:
            if key in derived and derived[key] is relation:
                if self.sensitive(key, view.get(key, 0)):
                    return self._break(relation, view, hidden, derived, key)
        unknown = [k for k in relation.members if k in hidden and k not in derived]
        if not any(self.sensitive(key, view.get(key, 0)) for key in unknown):
            return None
        hidden_sum = sum(view.get(key, 0) for key in unknown if key != relation.total)
        if len(unknown) >= 2 and (
            relation.total in unknown or hidden_sum >= self.threshold
        ):
            return None
        candidates = sorted(
            (key for key in relation.parts if key not in unknown),
            key=lambda key: (view.get(key, 0), self.order[key]),
        )
        choice = next(
            (k for k in candidates if hidden_sum + view.get(k, 0) >= self.threshold),
            candidates[-1] if candidates else None,
        )
        if choice is None and relation.total not in unknown:
            choice = relation.total
        if choice is None or choice not in hidden:
            return choice
        # Known although hidden: hide something in the relation that gives it.
        return self._break(derived[choice], view, hidden, derived, choice)

    def _break(
        self,
        relation: Relation,
        view: Mapping[Key, int],
        hidden: set[Key],
        derived: dict[Key, Relation],
        target: Key,
        depth: int = 0,
    ) -> Key | None:
        """Hide a further member of `relation`, so that `target` no longer follows."""
        others = [k for k in relation.members if k != target]
        shown = [k for k in others if k not in hidden]
        if shown:
            parts = [k for k in shown if k != relation.total] or shown
            return min(parts, key=lambda k: (view.get(k, 0), self.order[k]))
        known = [k for k in others if k in derived and derived[k] is not relation]
        if known and depth < 8:
            key = min(known, key=lambda k: (view.get(k, 0), self.order[k]))
            return self._break(derived[key], view, hidden, derived, key, depth + 1)
        return None

    # -- Exact audit ------------------------------------------------------------

    def _audit(self, views: Sequence[Mapping[Key, int]], common: set[Key]) -> set[Key]:
        """Cells to hide next to sensitive cells that the relations pin down."""
        added: set[Key] = set()
        for view in views:
            hidden = self.hidden_in(view, common | added)
            targets = [k for k in hidden if self.sensitive(k, view.get(k, 0))]
            done: set[Key] = set()
            for target in sorted(targets, key=self.order.__getitem__):
                if target in done:
                    continue
                cells, relations = self._component(target, hidden)
                done.update(cells)
                for cell in self._pinned(cells, relations):
                    if not self.sensitive(cell, view.get(cell, 0)):
                        continue
                    extra = self._neighbour(cell, view, hidden)
                    if extra is not None:
                        added.add(extra)
                        hidden.add(extra)
                        break  # the component changed: audit it again next round
        return added

    def _component(
        self, start: Key, hidden: set[Key]
    ) -> tuple[list[Key], list[Relation]]:
        """The hidden cells linked to `start` through relations, and those relations."""
        cells, relations, todo = {start}, {}, [start]
        while todo:
            key = todo.pop()
            for relation in self.by_key[key]:
                if id(relation) in relations:
                    continue
                relations[id(relation)] = relation
                for member in relation.members:
                    if member in hidden and member not in cells:
                        cells.add(member)
                        todo.append(member)
        return sorted(cells, key=self.order.__getitem__), list(relations.values())

    def _pinned(self, cells: list[Key], relations: list[Relation]) -> list[Key]:
        """The hidden cells whose value follows from the relations."""
        cache_key = frozenset(cells)
        if cache_key not in self._pinned_cache:
            if len(self._pinned_cache) > 5000:
                self._pinned_cache.clear()
            self._pinned_cache[cache_key] = self._solve(cells, relations)
        return self._pinned_cache[cache_key]

    def _solve(self, cells: list[Key], relations: list[Relation]) -> list[Key]:
        column = {key: i for i, key in enumerate(cells)}
        rows = []
        for relation in relations:
            row = [0] * len(cells)
            row_items = [(relation.total, -1)] + [(p, 1) for p in relation.parts]
            for key, sign in row_items:
                if key in column:
                    row[column[key]] += sign
            if any(row):
                rows.append(row)
        return [cells[i] for i in sorted(_pinned_columns(rows, len(cells)))]

    def _neighbour(
        self, target: Key, view: Mapping[Key, int], hidden: set[Key]
    ) -> Key | None:
        """The smallest shown cell in a relation of the target's component."""
        _cells, relations = self._component(target, hidden)
        parts = [k for r in relations for k in r.parts if k not in hidden]
        totals = [r.total for r in relations if r.total not in hidden]
        for pool in (parts, totals):
            if pool:
                return min(pool, key=lambda key: (view.get(key, 0), self.order[key]))
        return None


def _pinned_columns(rows: list[list[int]], width: int) -> set[int]:
    """The columns i for which the unit vector e_i is a combination of the rows.

    Exact integer Gauss-Jordan elimination (each row kept divided by the gcd of
    its entries, so numbers stay small). In the reduced form e_i lies in the
    row space exactly when some row has its only non-zero entry in column i.
    """
    matrix = [row[:] for row in rows]
    rank = 0
    for col in range(width):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][col]), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        lead_row = matrix[rank]
        lead = lead_row[col]
        for r in range(len(matrix)):
            factor = matrix[r][col]
            if r == rank or not factor:
                continue
            row = [
                lead * a - factor * b for a, b in zip(matrix[r], lead_row, strict=True)
            ]
            divisor = math.gcd(*row)
            matrix[r] = [v // divisor for v in row] if divisor > 1 else row
        rank += 1
    pinned = set()
    for row in matrix[:rank]:
        nonzero = [i for i, value in enumerate(row) if value]
        if len(nonzero) == 1:
            pinned.add(nonzero[0])
    return pinned


def suppress(
    structure: Structure,
    view: Mapping[Key, int],
    *,
    threshold: int,
    months: Iterable[Mapping[Key, int]] = (),
) -> set[Key]:
    """The displayed cells to hide in `view` for an analyst.

    `months` are the per-month views of the whole data when `view` is a date
    filtered sum of some of them; leave it empty for an unfiltered view.
    """
    protector = structure.protector(threshold)
    views = [*months, view]
    common = protector.protect(views)
    return protector.hidden_in(view, common) & structure.displayed
