"""Search terms on results and upload names (``recognition.terms``) and the
indexes that make every text filter an index lookup on PostgreSQL.

* ``recognition_result_terms_gin`` and ``recognition_upload_name_terms_gin``:
  GIN over ``string_to_array(terms, ' ')``, for one- and two-character CJK
  queries (below the trigram index's reach);
* trigram indexes on upload names and note bodies, built like the text's in
  0003 (on ``UPPER(column)``, the expression ``icontains`` compiles to), so
  the filter's UNION of text, names and notes is three index scans.

Existing results and uploads get their terms here, a thousand at a time. SQLite has no
such index types: there only the column is added and filled.
"""

from django.db import migrations, models

from recognition.terms import terms_of

BATCH = 1000
INDEXES = {
    "recognition_result_terms_gin": "recognition_result USING gin ((string_to_array(terms, ' ')))",
    "recognition_upload_name_terms_gin": "recognition_upload USING gin ((string_to_array(name_terms, ' ')))",
    "recognition_upload_name_trgm": 'recognition_upload USING gin ((UPPER("original_name"::text)) gin_trgm_ops)',
    "recognition_note_body_trgm": 'recognition_note USING gin ((UPPER("body"::text)) gin_trgm_ops)',
}


def fill_terms(apps, schema_editor):
    for model, source, target in (("Result", "text", "terms"), ("Upload", "original_name", "name_terms")):
        rows = apps.get_model("recognition", model).objects
        last = 0
        while True:
            batch = list(rows.filter(pk__gt=last).order_by("pk").only("pk", source)[:BATCH])
            if not batch:
                break
            for row in batch:
                setattr(row, target, terms_of(getattr(row, source)))
            rows.bulk_update(batch, [target])
            last = batch[-1].pk


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, target in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("recognition", "0014_retention_batches"),
    ]

    operations = [
        migrations.AddField(
            model_name="result",
            name="terms",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="upload",
            name="name_terms",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_terms, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
