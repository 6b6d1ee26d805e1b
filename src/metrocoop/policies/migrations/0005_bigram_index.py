"""Issue #15: the character-bigram index beside the word index, and documents imported without issuer or date.

- `search_bigrams`: each document's distinct character bigrams, single CJK characters and Latin/digit words
  (engine.segment.bigrams), filled here for the existing rows in batches.
- SQLite: the FTS5 table of migration 0002 is made again with `search_bigrams` as a fourth column (one MATCH
  expression then ANDs terms matching as words with terms matching as bigrams) and its triggers re-created (the
  table remake for the nullable issue date drops them); then rebuilt from the rows.
- PostgreSQL: a stored generated `bigram_vector` ('simple' over `search_bigrams`), and the GIN index of migration
  0004 made again over the words, the bigrams and the id-bucket lexeme (search/postgres.py SEARCH_INDEXED repeats
  the expression). The old index is dropped before the rows are filled and the column is added after, so the rows
  are written once more and the table rewritten once.
- `issuer` may be blank and `issued_on` null: a plain text whose signature block or date could not be read is
  imported with them empty and flagged 待补充 (a curation proposal of kind "completion").
"""

from django.db import migrations, models

BUCKET_LEXEME = "array_to_tsvector(ARRAY['#' || (id / 1024)::text])"

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS policies_fts_au",
    "DROP TRIGGER IF EXISTS policies_fts_ad",
    "DROP TRIGGER IF EXISTS policies_fts_ai",
    "DROP TABLE IF EXISTS policies_fts",
]


def _sqlite_create(columns):
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return [
        f"""CREATE VIRTUAL TABLE policies_fts USING fts5({cols},
            content='policies_policydocument', content_rowid='id', tokenize='unicode61')""",
        f"""CREATE TRIGGER policies_fts_ai AFTER INSERT ON policies_policydocument BEGIN
            INSERT INTO policies_fts(rowid, {cols}) VALUES (new.id, {new});
        END""",
        f"""CREATE TRIGGER policies_fts_ad AFTER DELETE ON policies_policydocument BEGIN
            INSERT INTO policies_fts(policies_fts, rowid, {cols}) VALUES ('delete', old.id, {old});
        END""",
        f"""CREATE TRIGGER policies_fts_au AFTER UPDATE OF {cols} ON policies_policydocument BEGIN
            INSERT INTO policies_fts(policies_fts, rowid, {cols}) VALUES ('delete', old.id, {old});
            INSERT INTO policies_fts(rowid, {cols}) VALUES (new.id, {new});
        END""",
        "INSERT INTO policies_fts(policies_fts) VALUES ('rebuild')",
    ]


WORD_COLUMNS = ["title_segmented", "text_segmented", "search_terms"]
SQLITE_UP = _sqlite_create([*WORD_COLUMNS, "search_bigrams"])
SQLITE_DOWN = _sqlite_create(WORD_COLUMNS)

POSTGRES_BEFORE = ["DROP INDEX IF EXISTS policies_document_search_gin"]
POSTGRES_UP = [
    """ALTER TABLE policies_policydocument ADD COLUMN bigram_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', coalesce(search_bigrams, ''))) STORED""",
    "CREATE INDEX policies_document_search_gin ON policies_policydocument "
    f"USING gin ((search_vector || bigram_vector || {BUCKET_LEXEME}))",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS policies_document_search_gin",
    "ALTER TABLE policies_policydocument DROP COLUMN IF EXISTS bigram_vector",
]
POSTGRES_BEFORE_DOWN = [
    "CREATE INDEX policies_document_search_gin ON policies_policydocument "
    f"USING gin ((search_vector || {BUCKET_LEXEME}))",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def fill_bigrams(apps, schema_editor, batch=2000):
    """Every row's bigrams, in batches by id (one read and one executemany each)."""
    from metrocoop.policies.engine.segment import bigrams

    connection = schema_editor.connection
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT id, title, text FROM policies_policydocument WHERE id > %s ORDER BY id LIMIT %s",
                [last, batch],
            )
            found = cursor.fetchall()
            if not found:
                return
            values = [(bigrams(title, text), pk) for pk, title, text in found]
            if connection.vendor == "postgresql":  # one statement a batch (the arrays as two parameters)
                cursor.execute(
                    "UPDATE policies_policydocument d SET search_bigrams = v.b "
                    "FROM unnest(%s::bigint[], %s::text[]) AS v(id, b) WHERE d.id = v.id",
                    [[pk for _, pk in values], [b for b, _ in values]],
                )
            else:
                cursor.executemany("UPDATE policies_policydocument SET search_bigrams = %s WHERE id = %s", values)
            last = found[-1][0]


class Migration(migrations.Migration):
    dependencies = [("policies", "0004_search_title_index")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_BEFORE}),
            _run({"sqlite": SQLITE_DROP + SQLITE_DOWN, "postgresql": POSTGRES_BEFORE_DOWN}),
        ),
        migrations.AlterField(
            model_name="policydocument",
            name="issuer",
            field=models.CharField(blank=True, max_length=200, verbose_name="issuing organisation"),
        ),
        migrations.AlterField(
            model_name="policydocument",
            name="issued_on",
            field=models.DateField(blank=True, null=True, verbose_name="issue date"),
        ),
        migrations.AddField(
            model_name="policydocument",
            name="search_bigrams",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="search character bigrams"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="curationproposal",
            name="kind",
            field=models.CharField(
                choices=[
                    ("new_document", "New document"),
                    ("correction", "Correction"),
                    ("completion", "To be completed"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(fill_bigrams, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DOWN}),
        ),
    ]
