"""Per-domain evaluation: reviews, news, social posts and brand mentions, each on data not trained on.

- ``reviews``: the held-out slice (``models.heldout``) of the public review corpus; labels are binary
  (positive / negative), so read its negative P/R/F1 and ROC-AUC, not 3-class accuracy;
- ``news``: the held-out slice of the headline corpus, headlines without a risk term (the guideline
  calls neutral-toned crisis news negative, so those have no agreed label); all neutral;
- ``social``: the test split of ``models/data/social_mentions.csv`` (posts in the platforms' style);
- ``brand mentions``: the test split of ``models/data/brand_mentions.csv``.

Imports scikit-learn (through ``models.evaluation``); inference never imports this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from models.datasets import Example, read_labelled, read_texts
from models.evaluation import evaluate
from models.heldout import is_heldout
from models.predictor import NEUTRAL, SentimentModel
from models.risk_terms import RISK_TERMS

DATA_DIR = Path(__file__).resolve().parent / "data"
SOCIAL = DATA_DIR / "social_mentions.csv"
BRAND = DATA_DIR / "brand_mentions.csv"
REVIEWS_FILE = "reviews.csv"
NEWS_FILE = "news_headlines.csv"


def domain_sets(shared_dir: Path | None) -> dict[str, list[Example]]:
    """The evaluation sets by domain; reviews and news only when ``shared_dir`` holds the corpora."""
    sets: dict[str, list[Example]] = {}
    if shared_dir is not None and (shared_dir / REVIEWS_FILE).is_file():
        sets["reviews"] = [e for e in read_labelled(shared_dir / REVIEWS_FILE) if is_heldout(e.text)]
    if shared_dir is not None and (shared_dir / NEWS_FILE).is_file():
        texts = read_texts(shared_dir / NEWS_FILE)
        sets["news"] = [
            Example(t, NEUTRAL) for t in texts if is_heldout(t) and not any(term in t for term in RISK_TERMS)
        ]
    sets["social"] = read_labelled(SOCIAL, split="test")
    sets["brand mentions"] = read_labelled(BRAND, split="test")
    return sets


def evaluate_domains(
    model: SentimentModel, sets: dict[str, list[Example]], *, target_precision: float = 0.9
) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for name, examples in sets.items():
        predictions = model.predict([e.text for e in examples])
        result = evaluate([e.label for e in examples], predictions, target_precision=target_precision)
        counts = {label: 0 for label in model.labels}
        for prediction in predictions:
            counts[prediction.label] += 1
        result["predicted_share"] = {k: v / max(len(examples), 1) for k, v in counts.items()}
        results[name] = result
    return results


def format_domains(results: dict[str, dict[str, Any]]) -> str:
    header = (
        f"{'domain':<15} {'n':>6} {'accuracy':>8} {'neg P':>6} {'neg R':>6} {'neg F1':>6} "
        f"{'ROC-AUC':>7} {'called neg/neu/pos':>20}"
    )
    lines = [header]
    for name, r in results.items():
        neg = r["per_class"]["negative"]
        auc = "n/a" if r["roc_auc_negative"] is None else f"{r['roc_auc_negative']:.3f}"
        share = r["predicted_share"]
        called = "/".join(f"{share[k]:.2f}" for k in ("negative", "neutral", "positive"))
        if neg["support"] == 0:
            p = rec = f1 = "n/a"
        else:
            p, rec, f1 = (f"{neg[k]:.3f}" for k in ("precision", "recall", "f1"))
        lines.append(
            f"{name:<15} {r['n']:>6} {r['accuracy']:>8.3f} {p:>6} {rec:>6} {f1:>6} {auc:>7} {called:>20}"
        )
    lines += [
        "",
        "reviews: held-out slice of the public review corpus, binary labels (read negative P/R/F1 and AUC);",
        "news: held-out headlines without risk terms, all neutral; social / brand mentions: test splits.",
    ]
    return "\n".join(lines)
