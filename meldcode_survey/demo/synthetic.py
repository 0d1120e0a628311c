"""Synthetic responses for demos, tests and benchmarks: plausible and marked.

`SyntheticResponses(version, seed).generate(count)` yields responses that follow
the version's own questions and display conditions: sectors in plausible shares,
Likert answers with a tendency per item and sector plus a per-respondent
latent level (so items correlate), about 55% applying the meldcode and
describing a case, about 60% of the cases with a dilemma, and Dutch narratives
assembled from fragments (no names, addresses or other identifying details).
Every stored row is marked `is_synthetic`; see loader.py for the writers (COPY
on PostgreSQL).

This module generates values only; it never touches the database itself, apart
from reading the version's questions.
"""

from __future__ import annotations

import csv
import io
import math
import random
import uuid
from bisect import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from itertools import accumulate
from typing import Any, NamedTuple

from meldcode_survey.questionnaires.models import YES, Question, Version
from meldcode_survey.responses.models import NARRATIVE_FIELDS, RECORD_KEYS

SECTOR_SHARES = {
    "kinderopvang": 0.18,
    "onderwijs": 0.24,
    "gezondheidszorg": 0.20,
    "maatschappelijke_ondersteuning": 0.11,
    "jeugdhulp": 0.15,
    "justitie": 0.04,
    "overig": 0.08,
}
APPLIED_SHARE = {"jeugdhulp": 0.70, "justitie": 0.60, "onderwijs": 0.48}
DEFAULT_APPLIED_SHARE = 0.55
DILEMMA_SHARE = 0.60

# Mean position (1-5) of each dilemma item, and per sector shifts: uncertainty
# about signs and fear of wrongly accusing parents weigh most, childcare doubts
# more often whether acting makes sense (see the fact sheet's "wat valt op").
ITEM_MEANS = {
    "D01": 3.2,
    "D02": 2.9,
    "D03": 2.7,
    "D04": 2.4,
    "D05": 2.8,
    "D06": 2.9,
    "D07": 2.3,
    "D08": 2.1,
    "D09": 1.8,
    "D10": 1.9,
}
DEFAULT_ITEM_MEAN = 2.5
SECTOR_SHIFTS = {
    "kinderopvang": {"D02": 0.6, "D07": 0.5, "D03": 0.3, "D01": 0.2},
    "onderwijs": {"D06": 0.3, "D04": 0.2, "D08": 0.2},
    "gezondheidszorg": {"D08": -0.3, "D05": 0.2},
    "jeugdhulp": {"D01": -0.3, "D09": -0.3, "D10": -0.3},
    "justitie": {"D08": 0.5, "D06": 0.3},
    "maatschappelijke_ondersteuning": {"D03": 0.3},
}
NOT_APPLICABLE_SHARE = {"D08": 0.12}
DEFAULT_NOT_APPLICABLE_SHARE = 0.05
# Latent level of a respondent: held back less, as usual, or more.
PROFILES = ((-0.7, 0.30), (0.0, 0.45), (0.7, 0.25))
SPREAD = 1.1

CHOICE_WEIGHTS = {
    "ervaring": {"0_2": 0.14, "2_5": 0.24, "5_10": 0.25, "10_plus": 0.37},
    "casus_stap": {"1": 0.34, "2": 0.28, "3": 0.16, "4": 0.13, "5": 0.09},
    "casus_kindcheck": {"ja": 0.32, "nee": 0.50, "weet_niet": 0.18},
    "casus_uitkomst": {
        "afgesloten": 0.18,
        "hulp": 0.36,
        "advies_vt": 0.24,
        "melding_vt": 0.16,
        "anders": 0.06,
    },
}
OPTIONAL_ANSWERED = 0.8  # share answering an optional question

PROFESSIONS = {
    "kinderopvang": ["Pedagogisch medewerker", "Locatiemanager", "Gastouder"],
    "onderwijs": ["Leerkracht", "Intern begeleider", "Mentor", "Leerplichtambtenaar"],
    "gezondheidszorg": ["Huisarts", "Jeugdverpleegkundige", "Wijkverpleegkundige"],
    "maatschappelijke_ondersteuning": ["Wijkteammedewerker", "Maatschappelijk werker"],
    "jeugdhulp": ["Jeugdhulpverlener", "Gezinsvoogd", "Ambulant hulpverlener"],
    "justitie": ["Reclasseringswerker", "Groepsleider"],
    "overig": ["Beleidsmedewerker", "Medewerker gemeente"],
}

OPENINGS = [
    "Een kind op de groep",
    "Een leerling uit mijn klas",
    "Een jongen van een jaar of vier",
    "Een meisje van tien",
    "Een peuter",
    "Een tienermeisje",
    "Een baby die net op de opvang kwam",
    "Een jongere die ik begeleid",
    "Een kind van een cliënt",
    "Een broertje en zusje",
]
SIGNS = [
    "kwam regelmatig met vieze kleding en honger binnen.",
    "had blauwe plekken op de armen die niet goed werden verklaard.",
    "vertelde dat er thuis veel ruzie is en dat er soms geslagen wordt.",
    "trok zich plotseling terug en wilde niet naar huis.",
    "was vaak afwezig zonder bericht van de ouders.",
    "vertelde dat een van de ouders veel drinkt.",
    "vertelde over harde ruzies tussen de ouders tijdens de scheiding.",
    "reageerde angstig wanneer een ouder kwam ophalen.",
    "liep achter in de ontwikkeling en de ouders waren moeilijk bereikbaar.",
    "zag er slecht verzorgd uit en kwam vaak te laat.",
]
CONTEXTS = [
    "De ouders stonden niet open voor een gesprek.",
    "De ouders zijn kort geleden uit elkaar gegaan.",
    "Het gezin heeft weinig netwerk in de buurt.",
    "Een collega had eerder al zorgen genoemd.",
    "Moeder gaf aan het zelf ook zwaar te hebben.",
    "Vader reageerde boos toen we onze zorgen deelden.",
    "Er speelt ook partnergeweld in het gezin.",
    "Het kind is nog erg jong en kan weinig vertellen.",
    "Er zijn meerdere hulpverleners bij het gezin betrokken.",
    "",
]
DILEMMAS = [
    "Inschatten hoe ernstig de verzorging tekortschiet.",
    "Valt het handelen van de ouders wel of niet onder mishandeling?",
    "Wie spreekt de waarheid: vader of moeder?",
    "Hoe letterlijk kun je de woorden van zo'n jong kind nemen?",
    "Onduidelijk wie de regie heeft nu er meerdere instanties betrokken zijn.",
    "Raken we het zicht op het kind kwijt als we melden?",
    "Hoe bespreek je dit met de ouders zonder meteen te oordelen?",
    "Heeft melden wel zin als er daarna niets gebeurt?",
    "Welke informatie mag ik delen met de school of het wijkteam?",
    "Is dit ernstig genoeg om Veilig Thuis in te schakelen?",
]
FOLLOW_UPS = [
    "Overlegd met de aandachtsfunctionaris en daarna met de ouders gesproken.",
    "Advies gevraagd bij Veilig Thuis en de situatie een tijd gevolgd.",
    "Een melding gedaan bij Veilig Thuis; daarna zijn wij niet meer op de hoogte "
    "gehouden.",
    "Samen met het wijkteam hulp voor het gezin ingezet.",
    "Zorgen besproken met de ouders en extra ondersteuning aangeboden; de ouders "
    "weigerden.",
    "Signalen vastgelegd, collega's laten meekijken en na een maand opnieuw gewogen.",
    "Intern overlegd met de leidinggevende en daarna de ouders gesproken. Het "
    "gewenste resultaat is bereikt.",
    "De kindcheck gedaan en contact gezocht met de jeugdverpleegkundige.",
]
TIPS = [
    "Meer terugkoppeling van Veilig Thuis na een melding.",
    "Regelmatig in het team oefenen met casussen.",
    "Een vast aanspreekpunt in de organisatie helpt enorm.",
    "Duidelijker maken wie na een melding verantwoordelijk blijft.",
    "Meer tijd om signalen goed in kaart te brengen.",
]


# A source of uniform numbers in [0, 1): random.Random(seed).random.
Rnd = Callable[[], float]
# What one respondent drew so far (profile, sector, applied, dilemma...).
State = dict[str, Any]
# Draws one question's answers: draw(rnd, state) -> answer specs.
Drawer = Callable[[Rnd, State], list["AnswerSpec"]]


@dataclass(frozen=True)
class AnswerSpec:
    """One answer row, prepared once and reused for every response."""

    question_id: int
    choice_id: int | None = None
    scale_value: int | None = None
    not_applicable: bool = False
    yes: bool | None = None
    number: int | None = None
    text: str = ""

    @cached_property
    def values(self) -> tuple[Any, ...]:
        """The stored row's values in ANSWER_COLUMNS order (no screening flags)."""
        return (
            self.question_id,
            self.choice_id,
            self.scale_value,
            self.not_applicable,
            self.yes,
            self.number,
            self.text,
            "[]",
        )

    @cached_property
    def csv_values(self) -> str:
        """`values` as CSV fields, each after a comma, ending the line: what the
        bulk loader's COPY (loader.py) writes after the response's columns."""
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(self.values)
        return "," + buffer.getvalue()


ANSWER_COLUMNS = (
    "question_id",
    "choice_id",
    "scale_value",
    "not_applicable",
    "yes",
    "number",
    "text",
    "screening_flags",
)


class Synthetic(NamedTuple):
    submission_key: uuid.UUID
    submitted_on: date
    sector: str
    applied: bool | None
    answers: list[AnswerSpec]
    narrative: tuple[str, str, str, bool | None] | None  # texts and has_dilemma


def synthetic_record_key(row: Synthetic) -> int:
    """The response's record key, from bits of its seeded submission key.

    Taken from the low bits, which a version 4 UUID leaves random, so a seeded
    data set gets the same keys every time without drawing more numbers.
    """
    return row.submission_key.int % RECORD_KEYS


class _Picker:
    """Draws one of several outcomes with given weights (cumulative bisect)."""

    __slots__ = ("cumulative", "outcomes", "total")

    def __init__(self, weighted: list[tuple[Any, float]]) -> None:
        self.outcomes = [outcome for outcome, _w in weighted]
        self.cumulative = list(accumulate(w for _o, w in weighted))
        self.total = self.cumulative[-1]

    def __call__(self, rnd: Rnd) -> Any:
        return self.outcomes[bisect(self.cumulative, rnd() * self.total)]


def likert_weights(mean: float, not_applicable: float) -> list[float]:
    """Probabilities of the scale values 1-5 around `mean`, and of n.v.t. last."""
    raw = [math.exp(-((v - mean) ** 2) / (2 * SPREAD**2)) for v in range(1, 6)]
    scale = (1 - not_applicable) / sum(raw)
    return [w * scale for w in raw] + [not_applicable]


class SyntheticResponses:
    """Plausible answers to one questionnaire version (see the module docstring)."""

    def __init__(
        self, version: Version, seed: int | None = None, *, days: int = 60
    ) -> None:
        self.rng = random.Random(seed)
        self.today = date.today()
        self.days = [self.today - timedelta(days=d) for d in range(max(days, 1))]
        questions = list(
            Question.objects.filter(version=version)
            .select_related("section__condition_question", "condition_question")
            .prefetch_related("choices", "group__scale__points")
            .order_by("section__position", "position")
        )
        self.roles = {q.role: q for q in questions if q.role}
        sector_question = self.roles.get(Question.Role.SECTOR)
        options = list(sector_question.choices.all()) if sector_question else []
        self.sector_picker = _Picker(
            [(c, SECTOR_SHARES.get(c.code, 0.03)) for c in options] or [(None, 1)]
        )
        self.plan = {
            (c.code if c else ""): self._plan(questions, c.code if c else "")
            for c in self.sector_picker.outcomes
        }

    # -- Preparation: one plan per sector ---------------------------------------

    def _plan(self, questions: list[Question], sector: str) -> list[tuple]:
        """Per question: (condition, draw) where draw(rnd, state) -> answer specs."""
        steps = []
        for question in questions:
            condition = _condition(question)
            steps.append((condition, self._drawer(question, sector)))
        return steps

    def _drawer(self, question: Question, sector: str) -> Drawer:
        role, kind = question.role, question.type
        if role == Question.Role.SECTOR:
            return _sector_drawer(question)
        if role == Question.Role.APPLIED_MELDCODE:
            return _yes_no_drawer(question, None, state_key="applied")
        if role == Question.Role.CASE_HAS_DILEMMA:
            return _yes_no_drawer(question, DILEMMA_SHARE, state_key="dilemma")
        if role in NARRATIVE_FIELDS:
            return _narrative_drawer(NARRATIVE_FIELDS[role])
        if kind == Question.Type.LIKERT:
            return self._likert_drawer(question, sector)
        if kind in Question.CHOICE_TYPES:
            return _choice_drawer(question)
        if kind == Question.Type.YES_NO:
            return _yes_no_drawer(question, 0.5, state_key=None)
        if kind == Question.Type.NUMBER:
            return _number_drawer(question)
        return _text_drawer(question, sector)

    def _likert_drawer(self, question: Question, sector: str) -> Drawer:
        assert question.scale is not None  # a Likert item has one (Question.clean)
        points = {p.value: p for p in question.scale.points.all()}
        specs = [AnswerSpec(question.pk, scale_value=v) for v in range(1, 6)]
        specs.append(AnswerSpec(question.pk, not_applicable=True))
        if set(points) - {None} != set(range(1, 6)):
            specs = [AnswerSpec(question.pk, scale_value=v) for v in points if v]
            return _from_picker(_Picker([(s, 1) for s in specs]))
        mean = ITEM_MEANS.get(question.code, DEFAULT_ITEM_MEAN)
        mean += SECTOR_SHIFTS.get(sector, {}).get(question.code, 0)
        nvt = NOT_APPLICABLE_SHARE.get(question.code, DEFAULT_NOT_APPLICABLE_SHARE)
        if None not in points:
            nvt = 0
        pickers = [
            _Picker(list(zip(specs, likert_weights(mean + shift, nvt), strict=True)))
            for shift, _weight in PROFILES
        ]

        def draw(rnd: Rnd, state: State) -> list[AnswerSpec]:
            return [pickers[state["profile"]](rnd)]

        return draw

    # -- Generation -------------------------------------------------------------

    def generate(self, count: int) -> Iterator[Synthetic]:
        rng = self.rng
        rnd = rng.random
        profile = _Picker([(i, w) for i, (_s, w) in enumerate(PROFILES)])
        days = self.days
        for _ in range(count):
            choice = self.sector_picker(rnd)
            sector = choice.code if choice else ""
            state: dict[str, Any] = {
                "sector": sector,
                "profile": profile(rnd),
                "applied_share": APPLIED_SHARE.get(sector, DEFAULT_APPLIED_SHARE),
                "codes": {},
                "texts": {},
            }
            answers: list[AnswerSpec] = []
            for condition, draw in self.plan[sector]:
                if condition is not None and not _shown(condition, state["codes"]):
                    continue
                answers += draw(rnd, state)
            yield Synthetic(
                submission_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                submitted_on=days[int(rnd() * len(days))],
                sector=sector,
                applied=state.get("applied"),
                answers=answers,
                narrative=_narrative(state, rnd),
            )


def _condition(question: Question) -> tuple | None:
    """The display conditions of the question and its section, as code sets."""
    conditions = []
    for owner in (question.section, question):
        if owner.condition_question is not None:
            conditions.append(
                (owner.condition_question.code, frozenset(owner.condition_values))
            )
    return tuple(conditions) or None


def _shown(conditions: tuple, codes: dict[str, Any]) -> bool:
    return all(codes.get(code) in values for code, values in conditions)


def _from_picker(picker: _Picker) -> Drawer:
    def draw(rnd: Rnd, state: State) -> list[AnswerSpec]:
        return [picker(rnd)]

    return draw


def _sector_drawer(question: Question) -> Drawer:
    specs = {
        c.code: AnswerSpec(question.pk, choice_id=c.pk) for c in question.choices.all()
    }

    def draw(rnd: Rnd, state: State) -> list[AnswerSpec]:
        state["codes"][question.code] = state["sector"]
        spec = specs.get(state["sector"])
        return [spec] if spec else []

    return draw


def _yes_no_drawer(
    question: Question, share: float | None, *, state_key: str | None
) -> Drawer:
    yes, no = AnswerSpec(question.pk, yes=True), AnswerSpec(question.pk, yes=False)

    def draw(rnd: Rnd, state: State) -> list[AnswerSpec]:
        chance = state["applied_share"] if share is None else share
        answer = rnd() < chance
        if state_key:
            state[state_key] = answer
        state["codes"][question.code] = YES if answer else "no"
        return [yes if answer else no]

    return draw


def _choice_drawer(question: Question) -> Drawer:
    weights = CHOICE_WEIGHTS.get(question.code, {})
    choices = list(question.choices.all())
    specs = {c.code: AnswerSpec(question.pk, choice_id=c.pk) for c in choices}
    picker = _Picker([(c.code, weights.get(c.code, 1 / len(choices))) for c in choices])
    multiple = question.type == Question.Type.MULTIPLE_CHOICE
    required = question.required

    def draw(rnd: Rnd, state: State) -> list[AnswerSpec]:
        if not required and rnd() > OPTIONAL_ANSWERED:
            return []
        if multiple:
            chosen = {code for code in specs if rnd() < 0.3} or {picker(rnd)}
            state["codes"][question.code] = sorted(chosen)
            return [specs[code] for code in specs if code in chosen]
        code = picker(rnd)
        state["codes"][question.code] = code
        return [specs[code]]

    return draw


def _number_drawer(question: Question) -> Drawer:
    low = question.min_value if question.min_value is not None else 0
    high = question.max_value if question.max_value is not None else max(low, 10)
    specs = [
        AnswerSpec(question.pk, number=n) for n in range(low, min(high, low + 50) + 1)
    ]

    def draw(rnd: Rnd, state: State) -> list[AnswerSpec]:
        if not question.required and rnd() > OPTIONAL_ANSWERED:
            return []
        return [specs[int(rnd() * len(specs))]]

    return draw


def _text_drawer(question: Question, sector: str) -> Drawer:
    if question.type == Question.Type.SHORT_TEXT:
        texts = PROFESSIONS.get(sector, PROFESSIONS["overig"])
    else:
        texts = TIPS
    limit = question.max_length or 10_000
    specs = [AnswerSpec(question.pk, text=t[:limit]) for t in texts]
    share = 1.0 if question.required else 0.7 if question.type == "short_text" else 0.2

    def draw(rnd: Rnd, state: State) -> list[AnswerSpec]:
        if rnd() >= share:
            return []
        return [specs[int(rnd() * len(specs))]]

    return draw


def _narrative_drawer(field: str) -> Drawer:
    def draw(rnd: Rnd, state: State) -> list[AnswerSpec]:
        state["texts"][field] = True
        return []

    return draw


def _narrative(state: State, rnd: Rnd) -> tuple[str, str, str, bool | None] | None:
    """The case texts, when the respondent reached the case questions."""
    if not state["texts"]:
        return None

    def pick(options: list[str]) -> str:
        return options[int(rnd() * len(options))]

    description = f"{pick(OPENINGS)} {pick(SIGNS)} {pick(CONTEXTS)}".strip()
    dilemma = state.get("dilemma")
    return (
        description,
        pick(DILEMMAS) if dilemma is not False else "",
        pick(FOLLOW_UPS),
        dilemma,
    )
