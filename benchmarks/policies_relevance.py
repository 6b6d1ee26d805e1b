"""Policy search relevance: nDCG@10 and recall@10 of the platform's search and of a plain substring (LIKE) search
over the demo corpus, for the judged queries in src/metrocoop/policies/tests/relevance_set.json.

    .venv/bin/python benchmarks/policies_relevance.py [--verbose] [--save-baseline]

The figures are printed for all queries, for the first 52 (q01-q52) and for the 21 added with issue #15 (r01-r21:
out-of-dictionary place names, two-character terms, words cut differently in query and text, compound words whose
halves stand apart), beside the baseline figures of benchmarks/policies_relevance_baseline.json (the search as it
was before the character-bigram index, recorded per database with --save-baseline on that code).

SQLite by default (a temporary database); PostgreSQL when DATABASE_URL is set (a scratch database
`<name>_bench_policies_rel` is created beside it and dropped afterwards). Metrics are computed by
metrocoop.policies.engine.metrics (binary relevance; nDCG after Järvelin & Kekäläinen 2002).
The platform: jieba segmentation with the policy dictionary, abbreviation expansion, bm25 (SQLite FTS5) or
ts_rank_cd (PostgreSQL), document-number look-up. The baseline: every space-separated part of the query must occur
as a substring of the title, text or document number; newest first.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scratch import prepare  # noqa: E402

RELEVANCE = ROOT / "src/metrocoop/policies/tests/relevance_set.json"
BASELINE = ROOT / "benchmarks/policies_relevance_baseline.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="one line per query")
    parser.add_argument("--save-baseline", action="store_true", help=f"record these figures in {BASELINE.name}")
    args = parser.parse_args()
    with prepare("bench_policies_rel", prefix="bench-policies-rel-"):
        from django.db import connection

        from metrocoop.policies import demo_data
        from metrocoop.policies.engine.metrics import ndcg_at_k, recall_at_k
        from metrocoop.policies.search import like_search, search

        print(f"database: {connection.vendor}; {demo_data.load()}")
        queries = json.loads(RELEVANCE.read_text(encoding="utf-8"))["queries"]
        per_query: dict[str, dict[str, list[float]]] = {}
        for q in queries:
            relevant = set(q["relevant"])
            ranked = {
                "platform": [h.document.key for h in search(q["query"], with_facets=False).hits],
                "like": like_search(q["query"]),
            }
            line = []
            for system, keys in ranked.items():
                n, r = ndcg_at_k(keys, relevant), recall_at_k(keys, relevant)
                per_query.setdefault(system, {})[q["id"]] = [n, r]
                line.append(f"{system} nDCG {n:.2f} R {r:.2f}")
            if args.verbose:
                print(f"{q['id']} {q['query']:<24} " + " | ".join(line))
        subsets = {
            "all": [q["id"] for q in queries],
            "q01-q52": [q["id"] for q in queries if q["id"].startswith("q")],
            "r01-r21 (#15)": [q["id"] for q in queries if q["id"].startswith("r")],
        }
        figures = {
            system: {
                name: [round(sum(per_query[system][i][m] for i in ids) / len(ids), 4) for m in (0, 1)]
                for name, ids in subsets.items()
                if ids
            }
            for system in per_query
        }
        baselines = json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else {}
        before = baselines.get(connection.vendor, {})
        print(f"{len(queries)} judged queries, k = 10; before = {before.get('code', 'no baseline recorded')}")
        print(f"{'system':<26}{'queries':<16}{'nDCG@10':>9}{'recall@10':>11}{'before nDCG':>13}{'before R':>10}")
        for system, label in (("platform", "platform (jieba + FTS)"), ("like", "substring LIKE baseline")):
            for name, (n, r) in figures[system].items():
                was = before.get("figures", {}).get(system, {}).get(name)
                was_text = f"{was[0]:>13.3f}{was[1]:>10.3f}" if was else f"{'-':>13}{'-':>10}"
                print(f"{label:<26}{name:<16}{n:>9.3f}{r:>11.3f}{was_text}")
        if args.save_baseline:
            import subprocess

            code = subprocess.run(
                ["git", "-C", str(ROOT), "log", "-1", "--format=%h %s"], capture_output=True, text=True
            ).stdout.strip()
            baselines[connection.vendor] = {"code": code[:100], "figures": figures, "per_query": per_query}
            BASELINE.write_text(json.dumps(baselines, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            print(f"baseline for {connection.vendor} recorded in {BASELINE.name}")


if __name__ == "__main__":
    main()
