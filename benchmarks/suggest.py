"""Suggestions from the customers' words on 100,000 rows, against a bare TF-IDF of the same texts.

    .venv/bin/python benchmarks/suggest.py [--rows 100000] [--repeat 3] [--unclassified 0.3]

1. Generates (once; cached in benchmarks/out/) a seeded demand CSV of `--rows` rows in the benefits sample's
   phrasing (sample_data/make_benefits_demand.py: openings, endings, typing mistakes, other languages, 2%
   labels the other way), of which a share `--unclassified` has no nature yet. Column: row, customer_words,
   demand_type, nature, failure_cause.
2. Times each side in a fresh child process (each one's peak memory is its own: the kernel's VmHWM from
   /proc/self/status; both import pandas, scikit-learn and workbench.demand.suggest and read the CSV before
   the clock starts), `--repeat` times, interleaved:
   * baseline: `TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).fit_transform(texts)` on every
     row's words (what any text model starts with);
   * suggest: `suggest(frame, measure=False)`: train on the classified rows (a 20,000-row sample) and
     suggest for every unclassified row, reasons included;
   * suggest + quality: `suggest(frame)`, which also measures agreement (on 5,000 held-out rows: with
     more classified rows than training needs, on the suggestions' own model; 5-fold up to 2,500 rows).
3. Prints best-of seconds, the ratio to the baseline and each side's peak memory; writes
   benchmarks/out/suggest.json.

A benchmark reports; it does not gate.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import in_child  # noqa: E402  (benchmarks/run.py)

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
SEED = 20260105
GENERATOR_VERSION = 1  # bump when the generated rows change: cached files are keyed by it


def generate(path: Path, rows: int, unclassified: float) -> None:
    spec = importlib.util.spec_from_file_location("make_benefits", ROOT / "sample_data" / "make_benefits_demand.py")
    assert spec is not None and spec.loader is not None
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    rng = random.Random(SEED)
    by_nature = {n: [t for t in maker.TYPES if t[1] == n] for n in ("value", "failure")}
    by_name = {t[0]: t for t in maker.TYPES}
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["row", "customer_words", "demand_type", "nature", "failure_cause"])
        for i in range(rows):
            if rng.random() < maker.FOREIGN_SHARE:
                words, name = rng.choice(maker.FOREIGN)
                kind = by_name[name]
            else:
                nature = "failure" if rng.random() < maker.FAILURE_SHARE else "value"
                kind = rng.choices(by_nature[nature], weights=[t[3] for t in by_nature[nature]])[0]
                words = maker.words_for(rng, rng.choice(kind[4]))
            name, nature, cause = kind[0], kind[1], kind[2]
            if rng.random() < maker.LABEL_NOISE:
                nature, cause = ("value", "") if nature == "failure" else ("failure", "progress chasing")
            if rng.random() < unclassified:
                nature, cause = "unclassified", ""
            writer.writerow([i + 2, words, name, nature, cause])


SETUP = ("import resource, sys, time; import numpy as np; import pandas as pd; "
         "from sklearn.feature_extraction.text import TfidfVectorizer; "
         "from workbench.demand.suggest import suggest; "
         "frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False); "
         "frame['row'] = frame['row'].astype(int)")
BASELINE = "x = TfidfVectorizer(analyzer='char_wb', ngram_range=(2, 5)).fit_transform(frame['customer_words']); print(x.shape)"
SUGGEST = "s = suggest(frame, measure=False); print(len(s.table), s.trained_on)"
QUALITY = "s = suggest(frame); print(len(s.table), s.quality.agreement)"
def run(code: str, path: Path) -> tuple[float, float, str]:
    return in_child(SETUP, code, path)  # SETUP reads the CSV before the clock starts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--unclassified", type=float, default=0.3)
    args = parser.parse_args()
    if args.rows < 1 or args.repeat < 1 or not 0 <= args.unclassified <= 1:
        parser.error("--rows and --repeat must be 1 or more, --unclassified between 0 and 1")
    OUT.mkdir(exist_ok=True)
    path = OUT / f"suggest_{args.rows}_{round(args.unclassified * 100)}_g{GENERATOR_VERSION}.csv"
    if not path.exists():
        t = time.perf_counter()
        generate(path, args.rows, args.unclassified)
        print(f"generated {path.name} in {time.perf_counter() - t:.1f} s")
    sides = {"baseline": BASELINE, "suggest": SUGGEST, "quality": QUALITY}
    results: dict[str, list[tuple[float, float, str]]] = {k: [] for k in sides}
    for _ in range(args.repeat):
        for name, code in sides.items():
            results[name].append(run(code, path))
    best = {k: min(r[0] for r in v) for k, v in results.items()}
    peak = {k: max(r[1] for r in v) for k, v in results.items()}
    said = {k: v[0][2] for k, v in results.items()}
    print(f"{path.name}: {args.rows:,} rows, {args.unclassified:.0%} unclassified, best of {args.repeat}")
    print(f"  baseline: TfidfVectorizer(char_wb 2-5).fit_transform, all rows  {best['baseline']:6.2f} s   "
          f"peak {peak['baseline']:5.0f} MB   ({said['baseline']})")
    print(f"  suggest(frame, measure=False)                                {best['suggest']:6.2f} s   "
          f"peak {peak['suggest']:5.0f} MB   ratio {best['suggest'] / best['baseline']:.2f}x   "
          f"(suggestions, trained on: {said['suggest']})")
    print(f"  suggest(frame) with quality (held-out rows)                  {best['quality']:6.2f} s   "
          f"peak {peak['quality']:5.0f} MB   ratio {best['quality'] / best['baseline']:.2f}x   "
          f"(suggestions, agreement: {said['quality']})")
    (OUT / "suggest.json").write_text(json.dumps({"rows": args.rows, "unclassified": args.unclassified,
                                                  "best_seconds": best, "peak_rss_mb": peak}, indent=2))


if __name__ == "__main__":
    main()
