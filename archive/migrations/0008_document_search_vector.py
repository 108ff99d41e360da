"""Each document's search vector beside its facet values (PostgreSQL only), for the search's
counts and facets (bench/archive.py, 100,000 documents).

The counts and facets of a common word grouped its matches in Wagtail's index table after a
hash join with every entry of the documents' covering index (64–83 ms for 38,000 matches).
With a copy of the index entry's vector (`title || body`, exactly what the search matches) in
the documents' own row and a GIN index on it, they are one bitmap scan of the documents and
the grouping. The copy is kept by the search backend whenever it writes an index entry of a
document (barleben_portal/search_backend.py). The column is not a field of the model, so no
listing reads it; the rows' texts and vectors are stored out of line (`toast_tuple_target`),
so the scan reads narrow rows. VACUUM cannot run in a transaction: the migration is not
atomic.
"""

from django.db import migrations

TABLE = "archive_document"
COLUMN = "search_vector"
INDEX = "archive_document_search_vector"
ENTRIES = "wagtailsearch_indexentry"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS {COLUMN} tsvector")
    schema_editor.execute(f"ALTER TABLE {TABLE} SET (toast_tuple_target = 128)")
    content_type = (
        apps.get_model("contenttypes", "ContentType")
        .objects.filter(app_label="archive", model="document")
        .first()
    )
    if content_type is not None:
        schema_editor.execute(
            f"UPDATE {TABLE} AS document SET {COLUMN} = entry.title || entry.body "
            f"FROM {ENTRIES} AS entry WHERE entry.content_type_id = %s "
            "AND entry.object_id = document.id::text",
            [content_type.pk],
        )
    # Rewrites the rows with their texts and vectors out of line.
    schema_editor.execute(f"VACUUM FULL {TABLE}")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} USING gin ({COLUMN})")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS {COLUMN}")
    schema_editor.execute(f"ALTER TABLE {TABLE} RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("archive", "0007_document_indexing_claimed_until")]

    operations = [migrations.RunPython(forwards, backwards)]
