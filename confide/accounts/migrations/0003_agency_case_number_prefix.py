"""Agency.case_number_prefix: what registration numbers an agency's new cases with.

An agency that already has cases numbered like RB-00001 (the demo's) keeps that prefix, so the
next registered case continues its numbers instead of starting a second series.
"""

import re
from collections import Counter

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

NUMBER = re.compile(r"^([A-Z]{1,8})-[0-9]{5,}$")


def adopt_existing_prefix(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Agency = apps.get_model("accounts", "Agency")
    Case = apps.get_model("records", "Case")
    for agency in Agency.objects.all():
        numbers = Case.objects.filter(agency_id=agency.id).values_list("case_number", flat=True)
        prefixes = Counter(m.group(1) for n in numbers.iterator() if (m := NUMBER.match(n)))
        if prefixes:
            agency.case_number_prefix = prefixes.most_common(1)[0][0]
            agency.save(update_fields=["case_number_prefix"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_agency_hiv_restricted_agency_training_validity_days_and_more"),
        ("records", "0003_client_index_rows"),
    ]

    operations = [
        migrations.AddField(
            model_name="agency",
            name="case_number_prefix",
            field=models.CharField(
                blank=True,
                default="",
                help_text="Registered cases are numbered PREFIX-00001, PREFIX-00002, ... (no "
                "prefix: 00001, ...); see records.services.client_register.",
                max_length=8,
            ),
        ),
        migrations.RunPython(adopt_existing_prefix, migrations.RunPython.noop),
    ]
