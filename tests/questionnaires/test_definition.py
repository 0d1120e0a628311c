import copy
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from meldcode_survey.questionnaires.definition import (
    DefinitionError,
    export_definition,
    import_definition,
    normalize,
)
from meldcode_survey.questionnaires.models import (
    Choice,
    Question,
    Questionnaire,
    Section,
    Version,
)

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Questionnaire, Version, Section, Question))


def test_seed_has_the_ten_dilemmas_verbatim(seed_version, seed_definition):
    dilemmas = Question.objects.filter(version=seed_version, code__startswith="D")
    assert dilemmas.count() == 10
    assert dilemmas.get(code="D03").text == (
        "Niet duidelijk welke partij verantwoordelijk is en blijft na het doen van "
        "een melding"
    )
    points = [p.label for p in dilemmas.get(code="D01").scale.points.all()]
    assert points == [
        "Helemaal niet",
        "Een beetje",
        "Enigszins",
        "In sterke mate",
        "In zeer sterke mate",
        "Weet ik niet / n.v.t.",
    ]


def test_export_after_import_gives_back_the_seed(seed_version, seed_definition):
    assert export_definition(seed_version) == seed_definition


def test_minimal_definition_round_trips_through_normalize():
    minimal = {
        "slug": "mini",
        "title": "Mini",
        "scales": [],
        "sections": [
            {
                "code": "p1",
                "title": "Pagina",
                "questions": [{"code": "a", "type": "yes_no", "text": "Ja?"}],
            }
        ],
    }
    version = import_definition(minimal)
    assert export_definition(version) == normalize(minimal)
    assert version.status == Version.Status.DRAFT


def test_importing_an_existing_slug_makes_a_new_version(seed_version, seed_definition):
    second = import_definition(seed_definition)
    assert second.questionnaire == seed_version.questionnaire
    assert second.number == 2


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d.pop("title"), "title"),
        (
            lambda d: d["sections"][1]["questions"][3].update(type="slider"),
            "sections[1].questions[3].type",
        ),
        (
            lambda d: d["sections"][1]["questions"][0].update(group="nope"),
            "sections[1].questions[0].group",
        ),
        (
            lambda d: d["sections"][0]["questions"][0].update(choices=[]),
            "sections[0].questions[0].choices",
        ),
        (
            lambda d: d["sections"][2].update(
                condition={"question": "later", "values": ["yes"]}
            ),
            "sections[2].condition.question",
        ),
        (
            lambda d: d["sections"][2]["condition"].update(values=["misschien"]),
            "sections[2].condition.values[0]",
        ),
        (
            lambda d: d["sections"][1]["questions"][1].update(code="D01"),
            "sections[1].questions[1].code",
        ),
        (
            lambda d: d["scales"][0]["points"][1].update(value=1),
            "scales[0].points[1].value",
        ),
        (
            lambda d: d["sections"][0]["questions"][1].update(max_length="lang"),
            "sections[0].questions[1].max_length",
        ),
        (lambda d: d["sections"][0].update(colour="blue"), "sections[0].colour"),
        (
            lambda d: d["sections"][2]["questions"][1].update(role="sector"),
            "sections[2].questions[1].role",
        ),
    ],
)
def test_invalid_definition_names_the_field_and_imports_nothing(
    seed_definition, mutate, path
):
    broken = copy.deepcopy(seed_definition)
    mutate(broken)
    before = _counts()
    with pytest.raises(DefinitionError) as error:
        import_definition(broken)
    assert error.value.path == path
    assert _counts() == before


def test_import_command_reports_the_offending_field(tmp_path, seed_definition):
    seed_definition["sections"][0]["questions"][0]["type"] = "slider"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(seed_definition))
    with pytest.raises(CommandError, match=r"sections\[0\]\.questions\[0\]\.type"):
        call_command("import_questionnaire", str(path))
    assert not Questionnaire.objects.exists()


def test_import_command_publishes_and_export_command_writes_it(tmp_path):
    from django.conf import settings

    seed = settings.BASE_DIR / "fixtures" / "brede-reflectie.json"
    call_command("import_questionnaire", str(seed), "--publish", stdout=StringIO())
    out = StringIO()
    call_command(
        "export_questionnaire", "brede-reflectie", "--version", "1", stdout=out
    )
    assert json.loads(out.getvalue()) == json.loads(seed.read_text())
    assert Version.objects.get().status == Version.Status.PUBLISHED


def test_export_command_refuses_unknown_version(seed_version):
    with pytest.raises(CommandError):
        call_command("export_questionnaire", "brede-reflectie", "--version", "9")


def test_import_command_refuses_invalid_json(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_questionnaire", str(path))


def test_choice_codes_of_sectors_follow_the_domain(seed_version):
    codes = Choice.objects.filter(
        question__version=seed_version, question__role="sector"
    )
    assert list(codes.values_list("code", flat=True)) == [
        "kinderopvang",
        "onderwijs",
        "gezondheidszorg",
        "maatschappelijke_ondersteuning",
        "jeugdhulp",
        "justitie",
        "overig",
    ]


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d.update(slug="Brede reflectie 2!"), "slug"),
        (lambda d: d.update(slug="x" * 81), "slug"),
        (
            lambda d: d["sections"][0]["questions"][0].update(code="mijn code"),
            "sections[0].questions[0].code",
        ),
        (
            lambda d: d["sections"][0]["questions"][0].update(code="c" * 41),
            "sections[0].questions[0].code",
        ),
        (
            lambda d: d["sections"][0]["questions"][0]["choices"][0].update(
                code="met spatie"
            ),
            "sections[0].questions[0].choices[0].code",
        ),
        (lambda d: d["sections"][1].update(code="twee woorden"), "sections[1].code"),
        (lambda d: d["scales"][0].update(code="schaal!"), "scales[0].code"),
        (lambda d: d.update(title="T" * 201), "title"),
        (lambda d: d["sections"][0].update(title="T" * 201), "sections[0].title"),
        (lambda d: d.update(estimated_minutes=-5), "estimated_minutes"),
        (
            lambda d: d["scales"][0]["points"][0].update(label="L" * 121),
            "scales[0].points[0].label",
        ),
        (
            lambda d: d["sections"][0]["questions"][1].update(max_length=0),
            "sections[0].questions[1].max_length",
        ),
    ],
)
def test_bad_codes_slugs_and_lengths_name_the_field(seed_definition, mutate, path):
    broken = copy.deepcopy(seed_definition)
    mutate(broken)
    before = _counts()
    with pytest.raises(DefinitionError) as error:
        import_definition(broken, publish=True)
    assert error.value.path == path
    assert _counts() == before


def test_import_command_refuses_a_slug_with_spaces(tmp_path, seed_definition):
    seed_definition["slug"] = "Brede reflectie 2!"
    path = tmp_path / "slug.json"
    path.write_text(json.dumps(seed_definition))
    with pytest.raises(
        CommandError, match=r"slug: .Brede reflectie 2!. is not a valid"
    ):
        call_command("import_questionnaire", str(path), "--publish")
    assert not Questionnaire.objects.exists()


def test_an_import_leaves_the_texts_of_a_closed_version_alone(
    seed_version, seed_definition
):
    from meldcode_survey.questionnaires.services import version_publish

    changed = copy.deepcopy(seed_definition)
    changed.update(intro="Nieuwe inleiding", intro_en="New introduction")
    changed.update(privacy_text="Nieuwe privacytekst", privacy_text_en="New privacy")
    second = version_publish(import_definition(changed))
    seed_version.refresh_from_db()
    assert seed_version.status == Version.Status.CLOSED
    assert seed_version.intro == seed_definition["intro"]
    assert seed_version.privacy_text == seed_definition["privacy_text"]
    assert second.intro == "Nieuwe inleiding"
    assert export_definition(seed_version) == seed_definition


def test_the_landing_page_reads_the_live_version_texts(client, seed_version):
    seed_version.questionnaire.title = "Naam voor medewerkers"
    seed_version.questionnaire.save()
    html = client.get(seed_version.questionnaire.get_absolute_url()).content.decode()
    assert seed_version.title in html
    assert seed_version.intro[:40] in html
    assert seed_version.privacy_text[:40] in html
