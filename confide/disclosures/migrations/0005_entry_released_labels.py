"""Keep, on each accounting entry, the sensitivity labels of what its release carried (encrypted),
so an accounting given to a guardian can leave out what a minor consented to alone.

Nullable and without a default on purpose: SQLite then adds the column with ALTER TABLE, where a
default would rebuild the table and drop its append-only triggers (migration 0002). Entries
recorded before this have no labels, and `accounting.guardian_may_receive` leaves them out.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("disclosures", "0004_shreddable_attachments"),
    ]

    operations = [
        migrations.AddField(
            model_name="accountingentry",
            name="labels_enc",
            field=models.BinaryField(
                blank=True,
                help_text="The sensitivity labels of what the release carried (its notes' and the client's), encrypted: decides what an accounting given to a guardian lists.",
                null=True,
            ),
        ),
    ]
