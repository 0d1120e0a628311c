"""Small-cell suppression on hand-built tables, and attacks that try to undo it.

Each attack plays the analyst: it takes only what is shown and tries to recover
a hidden count from a total, a complement or the difference of two filters.
"""

import random
from fractions import Fraction

import pytest

from meldcode_survey.dashboard.queries.disclosure import (
    Protector,
    Relation,
    Structure,
    suppress,
)

T = 10


def published(structure, view, hidden):
    return {k: view[k] for k in structure.displayed if k not in hidden}


def solve_by_totals(structure, known):
    """Fill in every relation that has a single unknown, until nothing changes."""
    known = dict(known)
    progress = True
    while progress:
        progress = False
        for relation in structure.relations:
            unknown = [k for k in relation.members if k not in known]
            if len(unknown) != 1:
                continue
            (key,) = unknown
            parts = sum(known[p] for p in relation.parts if p in known)
            known[key] = (
                parts if key == relation.total else known[relation.total] - parts
            )
            progress = True
    return known


def _rank(rows):
    rows = [[Fraction(v) for v in row] for row in rows]
    rank, width = 0, len(rows[0]) if rows else 0
    for col in range(width):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][col]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][col]:
                f = rows[r][col] / rows[rank][col]
                rows[r] = [a - f * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def determined_by_algebra(structure, known, key):
    """Whether a combination of the relations pins `key` down.

    Only the relations linked to `key` through unknown cells can matter: e_key
    lies in their row space exactly when adding it leaves the rank unchanged.
    """
    relations, unknowns, todo = [], {key}, [key]
    by_key = {}
    for relation in structure.relations:
        for member in relation.members:
            by_key.setdefault(member, []).append(relation)
    seen = set()
    while todo:
        for relation in by_key.get(todo.pop(), []):
            if id(relation) in seen:
                continue
            seen.add(id(relation))
            relations.append(relation)
            for member in relation.members:
                if member not in known and member not in unknowns:
                    unknowns.add(member)
                    todo.append(member)
    col = {k: i for i, k in enumerate(sorted(unknowns, key=repr))}
    rows = []
    for relation in relations:
        row = [0] * len(col)
        for k, sign in [(relation.total, -1)] + [(p, 1) for p in relation.parts]:
            if k in col:
                row[col[k]] += sign
        if any(row):
            rows.append(row)
    target = [0] * len(col)
    target[col[key]] = 1
    return _rank(rows + [target]) == _rank(rows)


def sensitive_cells(structure, view):
    return [
        k
        for k in structure.displayed
        | {k for r in structure.relations for k in r.members}
        if k not in structure.insensitive and 0 < view[k] < T
    ]


def assert_safe(structure, view, hidden, *, algebra=True):
    """No small count is shown, follows from totals, is pinned down by linear
    algebra (`algebra`: slow in pure Python on a whole survey), or is narrowed
    down below the threshold."""
    shown = published(structure, view, hidden)
    learned = solve_by_totals(structure, shown)
    sensitive = sensitive_cells(structure, view)
    for key in sensitive:
        assert key not in shown, f"{key} shown"
        assert key not in learned, f"{key} recovered from totals: {learned[key]}"
        if algebra:
            assert not determined_by_algebra(structure, shown, key), key
    # Nor narrowed down: where a known total leaves a sensitive cell among the
    # unknowns, those unknowns together must hold at least the threshold.
    for relation in structure.relations:
        unknown = [k for k in relation.parts if k not in learned]
        if relation.total in learned and any(k in sensitive for k in unknown):
            assert sum(view[k] for k in unknown) >= T, f"{unknown} add up to < {T}"


def one_row(values, total_key="n"):
    parts = tuple(f"p{i}" for i in range(len(values)))
    view = {total_key: sum(values)} | dict(zip(parts, values, strict=True))
    structure = Structure(
        relations=[Relation(total_key, parts)],
        displayed={total_key, *parts},
        insensitive=set(),
    )
    return structure, view


def test_a_count_below_the_threshold_is_hidden_and_a_second_cell_with_it():
    structure, view = one_row([3, 20, 17])
    hidden = suppress(structure, view, threshold=T)
    assert hidden == {"p0", "p2"}  # 17: the smallest that makes the pair add up to 10
    assert_safe(structure, view, hidden)


def test_a_table_without_small_counts_hides_nothing():
    structure, view = one_row([12, 20, 17])
    assert suppress(structure, view, threshold=T) == set()


def test_zero_is_shown_as_small_but_needs_no_protection():
    structure, view = one_row([0, 20, 17])
    assert suppress(structure, view, threshold=T) == {"p0"}


def test_two_small_counts_protect_each_other_when_their_sum_reaches_the_threshold():
    structure, view = one_row([4, 6, 30])
    assert suppress(structure, view, threshold=T) == {"p0", "p1"}


def test_two_small_counts_that_add_up_to_less_than_the_threshold_need_a_third():
    structure, view = one_row([2, 3, 30, 12])
    hidden = suppress(structure, view, threshold=T)
    assert hidden == {"p0", "p1", "p3"}
    assert_safe(structure, view, hidden)


def test_a_remainder_cannot_hide_a_small_count_behind_a_derivable_total():
    # 112 respondents, 104 valid answers, 8 "don't know", 0 missing answers: the
    # valid n follows from the scale points, so hiding it alone protects nothing.
    points = {"p1": 6, "p2": 25, "p3": 36, "p4": 27, "p5": 10}
    view = {"resp": 112, "n": 104, "nvt": 8, "miss": 0} | points
    structure = Structure(
        relations=[
            Relation("n", tuple(points)),
            Relation("resp", ("n", "nvt", "miss")),
        ],
        displayed={"resp", "n", "nvt", *points},
        insensitive={"miss"},
    )
    hidden = suppress(structure, view, threshold=T)
    assert {"nvt", "p1", "n"} <= hidden
    assert_safe(structure, view, hidden)


def test_a_complement_that_is_never_shown_is_protected():
    # 50 respondents, 47 applied: "did not apply" (3) is never shown, but
    # 50 - 47 would give it away, so "applied" is hidden.
    view = {"respondents": 50, "applied": 47, "not_applied": 3, "unknown": 0}
    structure = Structure(
        relations=[Relation("respondents", ("applied", "not_applied", "unknown"))],
        displayed={"respondents", "applied"},
        insensitive={"unknown"},
    )
    hidden = suppress(structure, view, threshold=T)
    assert hidden == {"applied"}
    assert_safe(structure, view, hidden)


def two_way(rows):
    """Sectors x points with row totals, column totals and a grand total."""
    sectors = list(rows) + ["ALL"]
    width = len(next(iter(rows.values())))
    view = {}
    for s, values in rows.items():
        for i, v in enumerate(values):
            view[s, i] = v
        view[s, "n"] = sum(values)
    for i in [*range(width), "n"]:
        view["ALL", i] = sum(view[s, i] for s in rows)
    relations = [
        Relation((s, "n"), tuple((s, i) for i in range(width))) for s in sectors
    ]
    relations += [
        Relation(("ALL", i), tuple((s, i) for s in rows)) for i in [*range(width), "n"]
    ]
    return Structure(relations=relations, displayed=set(view), insensitive=set()), view


def test_a_hidden_cell_cannot_be_recovered_through_rows_and_columns_together():
    structure, view = two_way({"A": [3, 15, 20], "B": [12, 14, 30], "C": [20, 25, 11]})
    hidden = suppress(structure, view, threshold=T)
    assert ("A", 0) in hidden
    # Hiding only (A,1) and (B,0) would leave (A,0) = A's total - ... via B's
    # row: the audit must have hidden a fourth cell to close the rectangle.
    assert len(hidden) >= 4
    assert_safe(structure, view, hidden)


def test_the_all_sectors_total_does_not_give_away_a_small_sector():
    # Sector C has 4 respondents in all: every count of C is small.
    structure, view = two_way({"A": [30, 15, 20], "B": [12, 14, 30], "C": [1, 2, 1]})
    hidden = suppress(structure, view, threshold=T)
    assert {("C", 0), ("C", 1), ("C", 2), ("C", "n")} <= hidden
    assert_safe(structure, view, hidden)


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_never_reveal_a_small_count(seed):
    rng = random.Random(seed)
    rows = {
        s: [rng.choice([0, 1, 2, 5, 9, 10, 14, 30, 60]) for _ in range(4)]
        for s in "ABCD"
    }
    structure, view = two_way(rows)
    hidden = suppress(structure, view, threshold=T)
    assert_safe(structure, view, hidden)


def survey_like(rng):
    """Sectors with Likert points, valid n, "don't know", missing and respondents."""
    sectors = "ABCD"[: rng.randint(2, 4)]
    view, relations = {}, []
    for s in sectors:
        for i in range(3):
            view[s, "p", i] = rng.choice([0, 1, 2, 3, 5, 8, 9, 10, 12, 20, 40])
        view[s, "n"] = sum(view[s, "p", i] for i in range(3))
        view[s, "nvt"] = rng.choice([0, 0, 1, 2, 5, 9, 11])
        view[s, "miss"] = rng.choice([0, 0, 0, 1])
        view[s, "resp"] = view[s, "n"] + view[s, "nvt"] + view[s, "miss"]
    shapes = [("p", 0), ("p", 1), ("p", 2), ("n",), ("nvt",), ("miss",), ("resp",)]
    for shape in shapes:
        view[("ALL", *shape)] = sum(view[(s, *shape)] for s in sectors)
    for s in [*sectors, "ALL"]:
        relations.append(Relation((s, "n"), tuple((s, "p", i) for i in range(3))))
        relations.append(Relation((s, "resp"), ((s, "n"), (s, "nvt"), (s, "miss"))))
    for shape in shapes:
        relations.append(Relation(("ALL", *shape), tuple((s, *shape) for s in sectors)))
    structure = Structure(
        relations=relations,
        displayed={k for k in view if k[1] != "miss"},
        insensitive={k for k in view if k[1] == "miss"},
    )
    return structure, view


@pytest.mark.parametrize("seed", range(15))
def test_random_survey_tables_never_reveal_or_narrow_down_a_small_count(seed):
    structure, view = survey_like(random.Random(seed))
    assert_safe(structure, view, suppress(structure, view, threshold=T))


def months_structure():
    structure, _ = one_row([0, 0, 0])
    return structure


def view_of(values):
    return {"n": sum(values)} | {f"p{i}": v for i, v in enumerate(values)}


def test_the_difference_of_two_date_filters_reveals_nothing():
    structure = months_structure()
    march, april = view_of([20, 30, 25]), view_of([3, 40, 22])
    whole = view_of([23, 70, 47])
    months = [march, april]

    unfiltered = suppress(structure, whole, threshold=T)
    only_march = suppress(structure, march, threshold=T, months=months)
    only_april = suppress(structure, april, threshold=T, months=months)

    assert unfiltered == set()  # 23 over both months is safe on its own
    # p0 is small in April: it is hidden in every filtered view, also in March,
    # so whole - March cannot give April's 3; and it is never alone.
    assert "p0" in only_march and "p0" in only_april
    assert len(only_april) >= 2 and len(only_march) >= 2
    shown_march = published(structure, march, only_march)
    shown_april = published(structure, april, only_april)
    for key in ("p0",):
        differences = [
            whole[key] - shown_march[key] if key in shown_march else None,
            whole[key] - shown_april[key] if key in shown_april else None,
        ]
        assert differences == [None, None]
    # And within April the totals do not give it away either.
    assert "p0" not in solve_by_totals(structure, shown_april)
    # Nor does the difference of whole-period and March figures, cell by cell.
    leaked = {
        k: whole[k] - shown_march[k]
        for k in shown_march
        if k in published(structure, whole, unfiltered)
    }
    assert all(v == 0 or v >= T for v in leaked.values())


def test_a_date_filter_keeps_cells_that_are_safe_in_every_month():
    structure = months_structure()
    march, april = view_of([20, 30, 25]), view_of([15, 40, 22])
    assert suppress(structure, march, threshold=T, months=[march, april]) == set()


@pytest.mark.parametrize("seed", range(30))
def test_updating_what_can_be_worked_out_equals_working_it_all_out_again(seed):
    # Secondary suppression updates the derivable cells per added hidden cell
    # (only that cell's component); it must give exactly what deriving them all
    # again gives, down to the relation that gives each cell. Few hidden cells
    # make several components, many make one.
    rng = random.Random(seed)
    structure, view = survey_like(rng)
    protector = structure.protector(T)
    keys = sorted(view, key=repr)
    hidden = set(rng.sample(keys, max(1, len(keys) * (1 + seed % 3) // 10)))
    derived = protector._derivable(hidden)
    for _ in range(8):
        added = rng.sample(sorted(set(keys) - hidden, key=repr), rng.randint(1, 2))
        hidden.update(added)
        derived = protector._rederive(derived, hidden, added)
        expected = protector._derivable(hidden)
        assert {k: id(r) for k, r in derived.items()} == {
            k: id(r) for k, r in expected.items()
        }


class DerivingEverythingAgain(Protector):
    """The rule as first written: derive from scratch after every added cell."""

    def _rederive(self, derived, hidden, added):
        return self._derivable(hidden)


@pytest.mark.parametrize("seed", range(30))
def test_secondary_suppression_hides_what_deriving_everything_again_hides(seed):
    rng = random.Random(seed)
    if seed % 2:
        structure, view = survey_like(rng)
        months = []
    else:
        rows = {
            s: [rng.choice([0, 1, 2, 5, 9, 10, 14, 30]) for _ in range(4)]
            for s in "ABCD"
        }
        structure, view = two_way(rows)
        months = [{k: rng.choice([0, 1, 3, 12]) for k in view} for _ in range(2)]
    views = [*months, view]

    fast = Protector(structure, T).protect(views)

    assert fast == DerivingEverythingAgain(structure, T).protect(views)
