"""Trigram index for substring search over recognised text (PostgreSQL only).

Django's ``icontains`` on PostgreSQL compiles to ``UPPER(text::text) LIKE
UPPER('%q%')``, so the GIN index is built on that same expression: the
planner then uses it for Chinese and English substrings alike (pg_trgm
extracts trigrams from CJK characters too). SQLite has no such index type;
there the migration does nothing and search is a plain scan.
"""

from django.db import migrations

INDEX = "recognition_result_text_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS {INDEX} ON recognition_result USING gin ((UPPER("text"::text)) gin_trgm_ops)'
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other objects may depend on it.
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("recognition", "0002_schedules")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
