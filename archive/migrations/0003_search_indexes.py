"""Indexes PostgreSQL needs to search a large archive quickly (bench/archive.py).

Wagtail's search matches `title || body` of its index entries, but creates no index on that
expression, so every search read the whole index; it joins the entries to the documents by
the document's id as text; and it looks for new entries by their title norm 1.0
(barleben_portal/search_backend.py). Other databases need none of them.
"""

from django.db import migrations

INDEXES = [
    ("wagtailsearch_indexentry", "search_indexentry_title_body", "USING GIN ((title || body))"),
    ("wagtailsearch_indexentry", "search_indexentry_new", "(id) WHERE title_norm = 1.0"),
    ("archive_document", "archive_document_id_text", "(((id)::varchar(50)))"),
    ("wagtailcore_page", "wagtailcore_page_id_text", "(((id)::varchar(50)))"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, name, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0002_defaults"),
        ("wagtailsearch", "0010_add_text_fields"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create, drop)]
