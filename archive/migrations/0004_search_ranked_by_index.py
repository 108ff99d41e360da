"""Ranked search over a large archive on PostgreSQL (bench/archive.py, 100,000 documents).

Two changes to Wagtail's index table, neither of which changes what is found:
- Its text vectors are stored out of line (`toast_tuple_target`), so the table itself shrinks
  from 321 MB to 14 MB, and counting the matches of a common word reads 1,800 pages instead of
  22,000 (20 ms instead of 110 ms).
- With the RUM extension (Debian's postgresql-15-rum), a RUM index on `title || body` replaces
  the GIN index of migration 0003. It keeps the positions of the words, so the best matches
  come out of the index in rank order (30 ms for a word in a third of all documents, where
  ranking every match took 1.4 s); barleben_portal/search_backend.py orders by it. Without the
  extension, or without the right to create it, the GIN index stays and the backend ranks as
  Wagtail does.
- The join of the matches to their documents by the id as text reads the type, body, year and
  collection from the index (an index-only scan), not from the documents' rows with their
  texts: the facets of 37,000 matches in 130 ms instead of 220 ms.
"""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

TABLE = "wagtailsearch_indexentry"
GIN_INDEX = "search_indexentry_title_body"
RUM_INDEX = "search_indexentry_title_body_rum"
DOCUMENT_ID_INDEX = "archive_document_id_text"
DOCUMENT_ID_COVERING_INDEX = "archive_document_id_text_covering"


def _rum_create(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        if cursor.fetchone() is None:
            logger.warning("PostgreSQL has no RUM extension: search ranks every match")
            return False
        try:
            with transaction.atomic():
                cursor.execute("CREATE EXTENSION IF NOT EXISTS rum")
        except DatabaseError as error:
            logger.warning("The RUM extension could not be created (%s): search ranks every match", error)
            return False
    return True


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} SET (toast_tuple_target = 128)")
    # Rewrites the rows written before, with their vectors out of line (VACUUM cannot run
    # in a transaction, hence the migration is not atomic).
    schema_editor.execute(f"VACUUM FULL {TABLE}")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {DOCUMENT_ID_COVERING_INDEX} ON archive_document "
        "(((id)::varchar(50))) INCLUDE (id, collection_id, document_type_id, issuing_body_id, year)"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {DOCUMENT_ID_INDEX}")
    if _rum_create(schema_editor):
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {RUM_INDEX} ON {TABLE} "
            "USING rum ((title || body) rum_tsvector_ops)"
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON {TABLE} USING GIN ((title || body))")
    schema_editor.execute(f"DROP INDEX IF EXISTS {RUM_INDEX}")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {DOCUMENT_ID_INDEX} ON archive_document (((id)::varchar(50)))"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {DOCUMENT_ID_COVERING_INDEX}")
    schema_editor.execute(f"ALTER TABLE {TABLE} RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("archive", "0003_search_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
