"""Remove every synthetic response, with its answers, case and anything attached.

Rows that other apps attach to synthetic responses or cases (codings,
redactions, ...) go through the ORM, so their own cascades and signals apply;
the bulk (answers, cases, responses) is deleted with one statement per table.
The dashboard's rollups are rebuilt afterwards.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, models, transaction
from django.db.models import QuerySet

from meldcode_survey.responses.models import Answer, CaseNarrative, Response


class Command(BaseCommand):
    help = "Delete all synthetic (generated demo/test) responses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--questionnaire", metavar="SLUG", help="Only this questionnaire's."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        responses = Response.objects.filter(is_synthetic=True)
        if options["questionnaire"]:
            responses = responses.filter(
                version__questionnaire__slug=options["questionnaire"]
            )
        with transaction.atomic():
            narratives = CaseNarrative.objects.filter(response__in=responses)
            _delete_attached(CaseNarrative, narratives)
            _delete_attached(Response, responses)
            Answer.objects.filter(response__in=responses)._raw_delete(Answer.objects.db)
            narratives._raw_delete(CaseNarrative.objects.db)
            count = responses._raw_delete(Response.objects.db)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Dead rows at the end of an index slow down the planner's range
            # estimates (and so every join on these tables) until vacuumed.
            with connection.cursor() as cursor:
                for model in (Response, Answer, CaseNarrative):
                    cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        call_command("refresh_aggregates", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Deleted {count} synthetic responses."))


def _delete_attached(model: type[models.Model], rows: QuerySet[Any]) -> None:
    """Delete what other models attach to `rows`, except our own bulk tables."""
    for relation in model._meta.related_objects:
        related = relation.related_model
        if related in (Answer, CaseNarrative, Response):
            continue
        related._base_manager.filter(**{f"{relation.field.name}__in": rows}).delete()
