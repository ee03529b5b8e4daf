"""``brandguard model train|evaluate|info``: build, measure and inspect the sentiment artifact."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.context import Context


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("model", parents=parents, help="train, evaluate or inspect the sentiment model")
    sub = p.add_subparsers(dest="model_command", metavar="ACTION", required=True)

    train = sub.add_parser(
        "train",
        parents=parents,
        help="train a model and write an artifact directory",
        description=(
            "Train TF-IDF + logistic regression (temperature-calibrated) and export it as arrays + JSON. "
            "Files are CSV (header row) or JSONL with 'text' and 'label' (negative|neutral|positive)."
        ),
    )
    train.add_argument(
        "--data", metavar="FILE", action="append", default=[], type=Path, help="labelled file (repeatable)"
    )
    train.add_argument(
        "--neutral",
        metavar="FILE",
        action="append",
        default=[],
        type=Path,
        help="unlabelled neutral texts, e.g. news headlines; rows with risk terms are dropped (repeatable)",
    )
    train.add_argument(
        "--in-domain",
        metavar="FILE",
        action="append",
        default=[],
        type=Path,
        help="labelled brand mentions, weighted up; only split=train rows if it has a split column",
    )
    train.add_argument("--out", metavar="DIR", required=True, type=Path, help="artifact directory to write")
    train.add_argument("--seed", type=int, default=13)
    train.add_argument("--max-rows-per-file", type=int, default=None, metavar="N")
    train.add_argument("--in-domain-weight", type=float, default=None, metavar="W")
    train.set_defaults(handler=_train)

    ev = sub.add_parser(
        "evaluate",
        parents=parents,
        help="per-class precision/recall/F1, confusion matrix, ROC-AUC, threshold for a precision",
    )
    ev.add_argument("--data", metavar="FILE", default=None, type=Path, help="labelled CSV or JSONL file")
    ev.add_argument(
        "--domains",
        action="store_true",
        help="per-domain figures: reviews, news (held-out slices of --shared), social, brand mentions",
    )
    ev.add_argument(
        "--shared",
        metavar="DIR",
        default=Path("../shared/data/sentiment"),
        type=Path,
        help="directory with reviews.csv and news_headlines.csv for --domains (default %(default)s)",
    )
    ev.add_argument("--split", default=None, help="only rows whose 'split' column equals this (e.g. test)")
    ev.add_argument("--model", metavar="DIR", default=None, type=Path, help="artifact (default: shipped)")
    ev.add_argument(
        "--target-precision", type=float, default=0.9, help="negative precision to find a threshold for"
    )
    ev.add_argument("--format", choices=("text", "json"), default="text")
    ev.set_defaults(handler=_evaluate)

    info = sub.add_parser("info", parents=parents, help="verify the artifact and print its metadata")
    info.add_argument("--model", metavar="DIR", default=None, type=Path, help="artifact (default: shipped)")
    info.set_defaults(handler=_info)


def _train(args: argparse.Namespace, ctx: Context) -> int:
    from models.training import TrainConfig, train
    from monitor.errors import UsageError

    if not (args.data or args.neutral or args.in_domain):
        raise UsageError("model train: give at least one --data, --neutral or --in-domain file")
    config = TrainConfig(data=args.data, neutral=args.neutral, in_domain=args.in_domain, seed=args.seed)
    if args.max_rows_per_file is not None:
        config.max_rows_per_file = args.max_rows_per_file
    if args.in_domain_weight is not None:
        config.in_domain_weight = args.in_domain_weight
    meta = train(config, args.out)
    t = meta["training"]
    print(f"trained on {t['rows']} rows {t['labels']} in {meta['seconds']} s; {meta['n_features']} features")
    for source in meta["data"]:
        digest = source["sha256"][:16]
        print(f"  {source['role']:<9} {source['path']}  sha256 {digest}…  rows {source['rows_used']}")
    print(f"wrote {args.out}")
    print(f"metadata.json SHA-256: {meta['metadata_sha256']}")
    print("(for the shipped model, put that line into models/MODEL_CARD.md)")
    return 0


def _evaluate(args: argparse.Namespace, ctx: Context) -> int:
    from models import load_model
    from models.datasets import read_labelled
    from models.evaluation import evaluate, format_report
    from monitor.errors import UsageError

    if not 0.0 < args.target_precision <= 1.0:
        raise UsageError("--target-precision must be in (0, 1]")
    if args.domains:
        return _evaluate_domains(args)
    if args.data is None:
        raise UsageError("model evaluate: give --data FILE or --domains")
    examples = read_labelled(args.data, split=args.split)
    if not examples:
        raise UsageError(f"{args.data}: no labelled rows to evaluate")
    model = load_model(args.model)
    predictions = model.predict([e.text for e in examples])
    result = evaluate([e.label for e in examples], predictions, target_precision=args.target_precision)
    if args.format == "json":
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(format_report(result))
    return 0


def _evaluate_domains(args: argparse.Namespace) -> int:
    from models import load_model
    from models.domains import domain_sets, evaluate_domains, format_domains

    shared = args.shared if args.shared.is_dir() else None
    results = evaluate_domains(
        load_model(args.model), domain_sets(shared), target_precision=args.target_precision
    )
    if args.format == "json":
        json.dump(results, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(format_domains(results))
        if shared is None:
            print(f"({args.shared} not found: reviews and news skipped)")
    return 0


def _info(args: argparse.Namespace, ctx: Context) -> int:
    from models import load_model

    model = load_model(args.model)
    meta = dict(model.metadata)
    meta["tokenizer_in_use"] = model.tokenizer
    json.dump(meta, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0
