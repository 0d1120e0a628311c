"""Remove every synthetic response, with its answers, case and anything attached.

An ordinary queryset delete, in batches so that a million responses never sit
in memory at once; Django's cascades take the answers, cases and whatever
other apps attach to them (codings, redactions, ...). The dashboard's rollups
are rebuilt afterwards.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from meldcode_survey.responses.models import Answer, CaseNarrative, Response

BATCH = 5000


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
        count = 0
        with transaction.atomic():
            while batch := list(responses.values_list("pk", flat=True)[:BATCH]):
                _, deleted = Response.objects.filter(pk__in=batch).delete()
                count += deleted[Response._meta.label]
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Dead rows at the end of an index slow down the planner's range
            # estimates (and so every join on these tables) until vacuumed.
            with connection.cursor() as cursor:
                for model in (Response, Answer, CaseNarrative):
                    cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        call_command("refresh_aggregates", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Deleted {count} synthetic responses."))
