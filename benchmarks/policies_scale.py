"""Policy search at scale: 100,000 generated documents → index build rate and query latency (target p95 ≤ 50 ms).

    .venv/bin/python benchmarks/policies_scale.py [--documents N] [--batch N]

SQLite by default (a temporary database with the platform's settings); PostgreSQL when DATABASE_URL is set (a
scratch database `<name>_bench_policies_scale` is created beside it and dropped afterwards).

Documents are generated from the demo corpus (corpus.py): each has a title of the corpus, 6–10 articles drawn from
the corpus's articles on the same topic plus two from any topic, a random city, date and document number. Each
article is segmented by jieba once and its words reused (segmenting 100,000 documents afresh would measure jieba,
not the index; jieba's own throughput is measured and printed separately). Rows go in with bulk inserts of
`--batch` rows; the build rate counts the inserts with the database's index maintenance (SQLite: FTS5 triggers;
PostgreSQL: the generated tsvectors and their GIN indexes), the words' and the character bigrams' (issue #15; a
document's bigram text is the union of its pieces' bigrams, computed once per article like its words).

After the load PostgreSQL gets `VACUUM ANALYZE` (what autovacuum does to an insert-only table: statistics, and the
GIN pending lists merged) and SQLite an FTS5 'optimize' and `ANALYZE`.

Latency: the 52 relevance-set queries (2-character terms, abbreviations, phrases, 发文字号) run anonymously through
`policies.search.search` — count, ranked first page and highlighted snippets — first without facets, then with
the six facet counts. Each query runs once to warm up, then three times measured. Most queries match thousands of
the generated documents, more than the search's candidate window (search.WINDOW): their count shows "500+" and
their ranking and facets cover the window (docs/policies.md); the output says how many.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))
RELEVANCE = ROOT / "src/metrocoop/policies/tests/relevance_set.json"


def main() -> None:
    from scratch import prepare

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="print where the query time goes (cProfile)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL scratch database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="query a scratch database kept by --keep (PostgreSQL) instead of loading"
    )
    parser.add_argument(
        "--migration",
        action="store_true",
        help="then time migration 0005 (bigrams filled, FTS5 table / GIN index made) over the loaded documents",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with prepare("bench_policies_scale", prefix="bench-policies-scale-", reuse=args.reuse, keep=args.keep):
        from django.core.management import call_command
        from django.db import connection, transaction

        from metrocoop.core.models import City
        from metrocoop.policies.corpus import demo_documents
        from metrocoop.policies.engine.metrics import percentile
        from metrocoop.policies.engine.query import normalise_doc_number
        from metrocoop.policies.engine.segment import bigrams, cut, segment_document, subwords, tokenizer
        from metrocoop.policies.models import PolicyDocument, PolicyDomainTag
        from metrocoop.policies.search import WINDOW, search

        cities = list(City.objects.all())
        corpus = demo_documents()

        tokenizer()
        started = time.perf_counter()
        chars = 0
        for d in corpus:
            segment_document(d.title, d.text)
            chars += len(d.title) + len(d.text)
        jieba_rate = chars / (time.perf_counter() - started)

        articles, by_topic = [], {}
        for d in corpus:
            for line in d.text.splitlines():
                body = line.split("\u3000", 1)[-1]
                words = cut(body)
                grams = bigrams(body).split()  # distinct bigrams, then characters and Latin words
                article = (body, " ".join(words), subwords(words), grams)
                articles.append(article)
                by_topic.setdefault(d.topic, []).append(article)
        titles = []
        for d in corpus:
            words = cut(d.title)
            title_grams = bigrams(d.title).split()
            titles.append(
                (d.title, " ".join(words + subwords(words)), d.domains, d.issuer, d.kind, d.topic, title_grams)
            )

        if args.reuse and PolicyDocument.objects.filter(source="generated").count() == args.documents:
            print(f"database: {connection.vendor}; {args.documents:,} documents reused (--reuse)", flush=True)
        else:
            print(
                f"database: {connection.vendor}; {args.documents:,} documents in batches of {args.batch:,}; "
                f"jieba segmentation {jieba_rate:,.0f} characters/s",
                flush=True,
            )
            numerals = "一二三四五六七八九十"
            # the bigrams of the article numbers (第一条 …): a document's bigram text is the union of its pieces'
            # (what engine.segment.bigrams gives for the whole text, pairs and singles in another order)
            number_grams = [bigrams(f"第{n}条").split() for n in numerals]
            total_chars = 0
            started = time.perf_counter()
            for start in range(0, args.documents, args.batch):
                rows, tags = [], []
                for i in range(start, min(start + args.batch, args.documents)):
                    title, title_seg, domains, issuer, kind, topic, title_grams = rng.choice(titles)
                    # mostly articles on the document's own topic, two from anywhere (documents stay on topic)
                    chosen = rng.sample(by_topic[topic], rng.randint(6, 10)) + rng.sample(articles, 2)
                    text = "\n".join(f"第{numerals[n % 10]}条　{a[0]}" for n, a in enumerate(chosen))
                    terms = sorted({w for a in chosen for w in a[2]})
                    grams = dict.fromkeys(title_grams)
                    for n, a in enumerate(chosen):
                        grams.update(dict.fromkeys(number_grams[n % 10]))
                        grams.update(dict.fromkeys(a[3]))
                    city = rng.choice(cities)
                    issued = date(2000, 1, 1) + timedelta(days=rng.randrange(26 * 365))
                    number = f"{city.code}规〔{issued.year}〕{i}号"
                    total_chars += len(text)
                    rows.append(
                        PolicyDocument(
                            key=f"gen-{i}",
                            title=title,
                            doc_number=number,
                            doc_number_norm=normalise_doc_number(number),
                            issuer=issuer,
                            level="municipal",
                            city=city,
                            province_id=city.province_id,
                            kind=kind,
                            issued_on=issued,
                            effective_on=issued,
                            validity=rng.choice(["in_force"] * 8 + ["amended", "repealed"]),
                            validity_since=issued,
                            text=text,
                            source="generated",
                            status="published",
                            title_segmented=title_seg,
                            text_segmented=" ".join(a[1] for a in chosen),
                            search_terms=" ".join(terms),
                            search_bigrams=" ".join(grams),
                        )
                    )
                    tags.append(domains)
                with transaction.atomic():
                    created = PolicyDocument.objects.bulk_create(rows)
                    PolicyDomainTag.objects.bulk_create(
                        [
                            PolicyDomainTag(document_id=d.pk, domain=x)
                            for d, ds in zip(created, tags, strict=True)
                            for x in ds
                        ],
                    )
                done = min(start + args.batch, args.documents)
                elapsed = time.perf_counter() - started
                print(f"\r  {done:,}/{args.documents:,} documents, {done / elapsed:,.0f}/s", end="", flush=True)
            build = time.perf_counter() - started
            print()
            if connection.vendor == "postgresql":
                # what autovacuum does after a bulk load (PostgreSQL 13+ vacuums insert-only tables too):
                # statistics, and the GIN indexes' pending lists (fastupdate) merged, which every search would
                # otherwise scan
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE policies_policydocument")
                    cursor.execute("VACUUM ANALYZE policies_policydomaintag")
            else:
                with connection.cursor() as cursor:
                    cursor.execute("INSERT INTO policies_fts(policies_fts) VALUES ('optimize')")
                    cursor.execute("ANALYZE")
            print(
                f"index build: {args.documents:,} documents ({total_chars / args.documents:,.0f} characters "
                "each) in "
                f"{build:,.1f} s = {args.documents / build:,.0f} documents/s (bulk insert + index maintenance)"
            )
        queries = [q["query"] for q in json.loads(RELEVANCE.read_text(encoding="utf-8"))["queries"]]
        if args.profile:
            from collections import defaultdict

            from django.test.utils import CaptureQueriesContext

            for q in queries:  # warm up
                search(q, with_facets=False)
            spent: dict[str, float] = defaultdict(float)
            total = 0.0
            for q in queries:
                t0 = time.perf_counter()
                with CaptureQueriesContext(connection) as ctx:
                    search(q, with_facets=False)
                total += time.perf_counter() - t0
                for entry in ctx.captured_queries:
                    spent[entry["sql"][:60]] += float(entry["time"])
            import cProfile
            import pstats

            with cProfile.Profile() as prof:
                for q in queries:
                    search(q, with_facets=False)
            pstats.Stats(prof).sort_stats("tottime").print_stats(12)
            print(f"profile: {total * 1000 / len(queries):.1f} ms per query; SQL seconds by statement:")
            for sql, seconds in sorted(spent.items(), key=lambda kv: -kv[1])[:8]:
                print(f"  {seconds:7.3f}  {sql}")
        for with_facets in (False, True):
            timings, totals, capped = [], [], 0
            for q in queries:
                search(q, with_facets=with_facets)
            for _ in range(3):
                for q in queries:
                    t0 = time.perf_counter()
                    result = search(q, with_facets=with_facets)
                    timings.append((time.perf_counter() - t0) * 1000)
                    totals.append(result.total)
                    capped += not result.total_exact
            label = "with facets" if with_facets else "ranked page + count + snippets"
            p50, p95 = percentile(timings, 50), percentile(timings, 95)
            verdict = "meets" if p95 <= 50 else "misses"
            print(
                f"query latency ({label}): {len(timings)} runs, p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
                f"max {max(timings):.1f} ms; median hits {sorted(totals)[len(totals) // 2]:,} "
                f"→ {verdict} the 50 ms p95 target"
            )
            if not with_facets:
                print(
                    f"  {capped // 3} of {len(queries)} queries match more than the {WINDOW:,}-document window "
                    '(count shown as "+", ranking and facets over the window)'
                )
        if args.migration:
            # back to 0004 (untimed), then forward: what upgrading a library of this size costs
            call_command("migrate", "policies", "0004", verbosity=0, skip_checks=True)
            started = time.perf_counter()
            call_command("migrate", "policies", "0005", verbosity=0, skip_checks=True)
            print(
                f"migration 0005 over {args.documents:,} documents: {time.perf_counter() - started:,.1f} s "
                "(bigrams computed and written, the FTS5 table / GIN index made again)"
            )


if __name__ == "__main__":
    main()
