"""Search at 100,000 documents (search.py): GIN indexes that answer "the most recently added matches" and "the
documents whose title holds every term" without reading the rows.

- PostgreSQL: the document tsvector's GIN index (migration 0002) is replaced by one on the tsvector plus a lexeme
  naming the row's id bucket ('#97' for ids 99,328-100,351, 1,024 ids a bucket), and a second one is made on the
  title's own tsvector with the same lexeme. A query for the matches among the newest ids is then one index scan,
  `… @@ (query && ('#97' | '#96'))`, whatever the planner estimates. Both are expression indexes: nothing is stored
  in the row, whose heap tuple stays as narrow as it was; search.SEARCH_INDEXED and search.TITLE_INDEXED repeat the
  expressions, which must stay the same for the indexes to be used. Ranking reads the plain tsvector (no bucket
  lexeme), so scores are unchanged.
- SQLite: nothing. FTS5 returns rowids newest first by itself, and the FTS5 table of migration 0002 indexes the
  title as its own column, searched with a column filter (`{title_segmented} : (…)`).
"""

from django.db import migrations

BUCKET_LEXEME = "array_to_tsvector(ARRAY['#' || (id / 1024)::text])"

POSTGRES_UP = [
    "DROP INDEX IF EXISTS policies_document_search_gin",
    "CREATE INDEX policies_document_search_gin ON policies_policydocument "
    f"USING gin ((search_vector || {BUCKET_LEXEME}))",
    "CREATE INDEX policies_document_title_gin ON policies_policydocument "
    f"USING gin ((to_tsvector('simple', coalesce(title_segmented, '')) || {BUCKET_LEXEME}))",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS policies_document_title_gin",
    "DROP INDEX IF EXISTS policies_document_search_gin",
    "CREATE INDEX policies_document_search_gin ON policies_policydocument USING gin (search_vector)",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("policies", "0003_consultations")]

    operations = [
        migrations.RunPython(_run({"postgresql": POSTGRES_UP}), _run({"postgresql": POSTGRES_DOWN})),
    ]
