"""Sentiment benchmarks: throughput, cold start, quality on the brand-mention test split,
cross-domain quality, and SnowNLP side by side on the same texts.

    .venv/bin/python bench/sentiment.py            # everything (cross-domain trains a model: ~1-2 min)
    .venv/bin/python bench/sentiment.py --quick    # skip the cross-domain training
    .venv/bin/python bench/sentiment.py --reviews  # add shopping <-> takeaway cross-domain (~3 min)

Prints a Markdown table (the figures in BENCHMARKS.md come from this script).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared" / "data" / "sentiment"
REVIEWS = SHARED / "reviews.csv"
HEADLINES = SHARED / "news_headlines.csv"
BRAND = ROOT / "models" / "data" / "brand_mentions.csv"


def sixty_char_texts(n: int) -> list[str]:
    """Review texts cut to 60 characters (only reviews at least that long), a fixed sample."""
    import random

    with REVIEWS.open(encoding="utf-8", newline="") as fh:
        texts = [row["text"][:60] for row in csv.DictReader(fh) if len(row["text"]) >= 60]
    return random.Random(7).sample(texts, n)


def throughput(texts: list[str]) -> tuple[float, str]:
    from models import load_model

    model = load_model()
    model.predict(texts[:100])  # warm caches
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        for i in range(0, len(texts), 512):
            model.predict(texts[i : i + 512])
        best = max(best, len(texts) / (time.perf_counter() - start))
    return best, model.tokenizer


def cli_throughput(texts: list[str]) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as fh:
        fh.write("\n".join(texts) + "\n")
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "monitor", "sentiment", fh.name],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - start
    os.unlink(fh.name)
    return len(texts) / elapsed


def cold_start(runs: int = 5) -> float:
    """Process start to the first prediction line on stdout, median of ``runs``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "brandguard"), "sentiment"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("星河手机宣布召回部分充电宝\n".encode())
        proc.stdin.close()
        proc.stdout.readline()
        times.append(time.perf_counter() - start)
        proc.wait()
    return statistics.median(times)


def quality(model_dir: Path | None) -> dict[str, float]:
    from models import load_model
    from models.datasets import read_labelled
    from models.evaluation import evaluate

    examples = read_labelled(BRAND, split="test")
    model = load_model(model_dir)
    result = evaluate([e.label for e in examples], model.predict([e.text for e in examples]))
    neg = result["per_class"]["negative"]
    threshold = result["threshold"] or {}
    return {
        "n": result["n"],
        "precision": neg["precision"],
        "recall": neg["recall"],
        "f1": neg["f1"],
        "auc": result["roc_auc_negative"],
        "accuracy": result["accuracy"],
        "recall_at_p90": threshold.get("recall", float("nan")),
    }


def cross_domain() -> dict[str, float]:
    from models.training import TrainConfig, train

    with tempfile.TemporaryDirectory() as tmp:
        train(TrainConfig(data=[REVIEWS], neutral=[HEADLINES]), Path(tmp))
        return quality(Path(tmp))


def review_domains() -> list[str]:
    """Cross-domain inside the review data: shopping -> takeaway and takeaway -> shopping (binary labels,
    so figures are negative vs rest), plus in-domain held-out shopping rows for comparison."""
    import random

    from models.datasets import Example
    from models.evaluation import evaluate
    from models.training import TrainConfig, train

    with REVIEWS.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rng = random.Random(11)
    shopping = [r for r in rows if r["domain"].startswith("shopping/")]
    takeaway = [r for r in rows if r["domain"] == "takeaway"]
    rng.shuffle(shopping)
    rng.shuffle(takeaway)
    shop_train, shop_test = shopping[:8000], shopping[8000:10000]
    take_train, take_test = takeaway[:8000], takeaway[8000:10000]
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        from models import load_model

        def write(name: str, part: list[dict[str, str]]) -> Path:
            path = Path(tmp) / name
            with path.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=["label", "text"], extrasaction="ignore")
                writer.writeheader()
                writer.writerows(part)
            return path

        cases = [
            ("shopping reviews", write("shop.csv", shop_train), "takeaway reviews", take_test),
            ("takeaway reviews", write("take.csv", take_train), "shopping reviews", shop_test),
            ("shopping reviews", write("shop2.csv", shop_train), "held-out shopping reviews", shop_test),
        ]
        for trained_on, path, tested_on, test_rows in cases:
            out = Path(tmp) / f"m-{path.stem}"
            train(TrainConfig(data=[path], neutral=[HEADLINES]), out)
            model = load_model(out)
            examples = [Example(r["text"], r["label"]) for r in test_rows]
            result = evaluate([e.label for e in examples], model.predict([e.text for e in examples]))
            neg = result["per_class"]["negative"]
            label = f"{trained_on} + headlines -> {tested_on} (n={result['n']})"
            figures = f"{neg['precision']:.3f} / {neg['recall']:.3f} / {neg['f1']:.3f}"
            auc = result["roc_auc_negative"]
            lines.append(f"| {label}: negative P / R / F1; ROC-AUC | {figures}; {auc:.3f} |")
    return lines


def snownlp_figures(texts: list[str]) -> dict[str, float]:
    import warnings

    warnings.filterwarnings("ignore")
    from sklearn.metrics import precision_recall_fscore_support, roc_auc_score
    from snownlp import SnowNLP

    from models.datasets import read_labelled

    sample = texts[:300]
    start = time.perf_counter()
    for text in sample:
        SnowNLP(text).sentiments  # noqa: B018 - the property computes the score
    rate = len(sample) / (time.perf_counter() - start)
    examples = read_labelled(BRAND, split="test")
    p_neg = [1.0 - SnowNLP(e.text).sentiments for e in examples]
    truth = [e.label == "negative" for e in examples]
    predicted = [p >= 0.5 for p in p_neg]
    p, r, f, _ = precision_recall_fscore_support(truth, predicted, average="binary", zero_division=0)
    return {"rate": rate, "precision": p, "recall": r, "f1": f, "auc": roc_auc_score(truth, p_neg)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip cross-domain training")
    parser.add_argument("--reviews", action="store_true", help="also shopping <-> takeaway (3 trainings)")
    parser.add_argument("-n", type=int, default=5000, help="texts for the throughput runs")
    args = parser.parse_args()

    # Figures depend on what else runs on the machine; print the load so readers can judge.
    print(f"| load average at start (1 min), cores | {os.getloadavg()[0]:.2f}, {os.cpu_count()} |")
    texts = sixty_char_texts(args.n)
    avg_len = sum(map(len, texts)) / len(texts)
    rate, tokenizer = throughput(texts)
    print(
        f"| throughput, in process ({args.n} texts, {avg_len:.0f} chars, {tokenizer}) | {rate:,.0f} texts/s |"
    )
    print(
        f"| throughput, `brandguard sentiment FILE` incl. start-up | {cli_throughput(texts):,.0f} texts/s |"
    )
    print(f"| cold start, process start to first prediction (median of 5) | {cold_start():.2f} s |")
    q = quality(None)
    print(
        f"| brand-mention test split (n={q['n']}), shipped model: negative P / R / F1 | "
        f"{q['precision']:.3f} / {q['recall']:.3f} / {q['f1']:.3f} |"
    )
    print(f"| same, ROC-AUC of p_negative; accuracy (3 classes) | {q['auc']:.3f}; {q['accuracy']:.3f} |")
    print(f"| same, negative recall at the threshold for precision 0.90 | {q['recall_at_p90']:.3f} |")
    if not args.quick:
        c = cross_domain()
        print(
            "| cross-domain: trained on reviews + headlines only, tested on brand split: "
            f"negative P / R / F1 | "
            f"{c['precision']:.3f} / {c['recall']:.3f} / {c['f1']:.3f} |"
        )
        print(f"| same, ROC-AUC; accuracy (3 classes) | {c['auc']:.3f}; {c['accuracy']:.3f} |")
    if args.reviews:
        for line in review_domains():
            print(line)
    s = snownlp_figures(texts)
    print(f"| SnowNLP throughput (same 60-char texts) | {s['rate']:,.0f} texts/s |")
    print(
        f"| SnowNLP on brand test split (negative if sentiments < 0.5): P / R / F1; ROC-AUC | "
        f"{s['precision']:.3f} / {s['recall']:.3f} / {s['f1']:.3f}; {s['auc']:.3f} |"
    )


if __name__ == "__main__":
    main()
