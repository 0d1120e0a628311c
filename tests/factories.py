"""Factories for test data, built in code."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from meldcode_survey.accounts.roles import ensure_role_groups
from meldcode_survey.questionnaires.models import (
    Choice,
    LikertGroup,
    Question,
    Questionnaire,
    Scale,
    ScalePoint,
    Section,
    Version,
)
from meldcode_survey.review.services import ensure_default_codebook


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(user, create: bool, extracted: str | None, **kwargs) -> None:
        if create and extracted:
            ensure_role_groups()
            user.groups.add(Group.objects.get(name=extracted))


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Questionnaire
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Vragenlijst {n}")
    slug = factory.Sequence(lambda n: f"vragenlijst-{n}")

    @factory.post_generation
    def codebook(questionnaire, create: bool, extracted: None, **kwargs) -> None:
        """As import_definition and the admin do for a new questionnaire."""
        if create:
            ensure_default_codebook(questionnaire)


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Version

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.SelfAttribute("questionnaire.title")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    version = factory.SubFactory(VersionFactory)
    code = factory.Sequence(lambda n: f"section-{n}")
    title = factory.Sequence(lambda n: f"Pagina {n}")
    position = factory.Sequence(lambda n: n)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    section = factory.SubFactory(SectionFactory)
    code = factory.Sequence(lambda n: f"q{n}")
    type = Question.Type.SHORT_TEXT
    text = factory.Sequence(lambda n: f"Vraag {n}?")
    position = factory.Sequence(lambda n: n)


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory, type=Question.Type.SINGLE_CHOICE)
    code = factory.Sequence(lambda n: f"c{n}")
    label = factory.Sequence(lambda n: f"Optie {n}")


class ScaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scale

    version = factory.SubFactory(VersionFactory)
    code = factory.Sequence(lambda n: f"scale-{n}")
    label = "Vijfpuntsschaal"


class ScalePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScalePoint

    scale = factory.SubFactory(ScaleFactory)
    value = factory.Sequence(lambda n: n % 5 + 1)
    label = factory.LazyAttribute(lambda p: f"Punt {p.value}")


class LikertGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LikertGroup

    section = factory.SubFactory(SectionFactory)
    code = factory.Sequence(lambda n: f"group-{n}")
    text = "In welke mate?"
    scale = factory.SubFactory(
        ScaleFactory, version=factory.SelfAttribute("..section.version")
    )


# Submitted responses and their case narratives (appended by the review app).
import uuid  # noqa: E402

from meldcode_survey.responses.models import CaseNarrative, Response  # noqa: E402


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    version = factory.SubFactory(VersionFactory)
    submission_key = factory.LazyFunction(uuid.uuid4)
    sector = "kinderopvang"
    applied_meldcode = True


class CaseNarrativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseNarrative

    response = factory.SubFactory(ResponseFactory)
    description = factory.Sequence(lambda n: f"Kind {n} kwam vaak hongerig binnen.")
    dilemma = "Is dit ernstig genoeg om te melden?"
    follow_up = "Gesprek met ouders gevoerd en Veilig Thuis om advies gevraagd."
    has_dilemma = True
    screening_flags = factory.LazyFunction(dict)


def screened_clean(redaction):
    """Record a thorough screening of `redaction` that found nothing, as the
    worker would for a clean text, for tests that are not about screening (and
    run without deduce). Returns the refreshed redaction."""
    from django.utils import timezone

    from meldcode_survey.review.models import Redaction

    Redaction.objects.filter(pk=redaction.pk).update(
        flags={}, screened_at=timezone.now()
    )
    redaction.refresh_from_db()
    return redaction
