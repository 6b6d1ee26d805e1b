"""The full-text index over the pre-segmented text (engine.segment), one per database:

- SQLite: an FTS5 table (tokenizer unicode61, which splits on the spaces segmentation put between words) over
  the document table as external content, kept in step by triggers in the same transaction as the row.
- PostgreSQL: a stored generated tsvector ('simple' config: no stemming, no stop words — the words are already
  cut) weighted title A, text B, sub-words C, with a GIN index.
"""

from django.db import migrations

SQLITE_UP = [
    """CREATE VIRTUAL TABLE policies_fts USING fts5(
        title_segmented, text_segmented, search_terms,
        content='policies_policydocument', content_rowid='id', tokenize='unicode61')""",
    """CREATE TRIGGER policies_fts_ai AFTER INSERT ON policies_policydocument BEGIN
        INSERT INTO policies_fts(rowid, title_segmented, text_segmented, search_terms)
        VALUES (new.id, new.title_segmented, new.text_segmented, new.search_terms);
    END""",
    """CREATE TRIGGER policies_fts_ad AFTER DELETE ON policies_policydocument BEGIN
        INSERT INTO policies_fts(policies_fts, rowid, title_segmented, text_segmented, search_terms)
        VALUES ('delete', old.id, old.title_segmented, old.text_segmented, old.search_terms);
    END""",
    """CREATE TRIGGER policies_fts_au AFTER UPDATE OF title_segmented, text_segmented, search_terms
        ON policies_policydocument BEGIN
        INSERT INTO policies_fts(policies_fts, rowid, title_segmented, text_segmented, search_terms)
        VALUES ('delete', old.id, old.title_segmented, old.text_segmented, old.search_terms);
        INSERT INTO policies_fts(rowid, title_segmented, text_segmented, search_terms)
        VALUES (new.id, new.title_segmented, new.text_segmented, new.search_terms);
    END""",
    "INSERT INTO policies_fts(policies_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS policies_fts_au",
    "DROP TRIGGER IF EXISTS policies_fts_ad",
    "DROP TRIGGER IF EXISTS policies_fts_ai",
    "DROP TABLE IF EXISTS policies_fts",
]
POSTGRES_UP = [
    """ALTER TABLE policies_policydocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(title_segmented, '')), 'A')
        || setweight(to_tsvector('simple', coalesce(text_segmented, '')), 'B')
        || setweight(to_tsvector('simple', coalesce(search_terms, '')), 'C')) STORED""",
    "CREATE INDEX policies_document_search_gin ON policies_policydocument USING gin (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS policies_document_search_gin",
    "ALTER TABLE policies_policydocument DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
