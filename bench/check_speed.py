"""Throughput of ``brandguard check`` over >= 10 MB of generated Chinese marketing copy, next to a raw
Aho-Corasick scan (ahocorasick_rs) of the same term list over the same text, plus the wall time of
checking one 2,000-character draft from the shell (interpreter start included).

    .venv/bin/python bench/check_speed.py [--mb 10] [--files 200] [--runs 3]

The corpus is generated from templates (seeded, deterministic) into a temporary directory; nothing is
committed. Targets (issue 2): >= 5 MB/s end to end; one 2,000-character draft <= 0.4 s. Issue 13: >= 10
MB/s end to end; one 10,000-character draft <= 50 ms in process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRANDGUARD = [sys.executable, "-m", "monitor"]

CLEAN = [
    "这款面霜采用天然植物成分，温和不刺激，适合干性和混合性肌肤日常使用。",
    "保温杯采用316不锈钢内胆，保温12小时，杯身轻巧，方便通勤携带。",
    "新品上市，满299减50，会员再享95折，部分地区次日达。",
    "面料为新疆长绒棉，透气亲肤，经过多次水洗依然柔软。",
    "扫地机器人支持激光导航和APP远程控制，可设置禁区和定时清扫。",
    "咖啡豆来自云南保山，中度烘焙，带有坚果和焦糖的风味。",
    "第一次下单的用户可以领取新人礼包，每人最多可领取一次。",
    "最近天气转凉，我们推出了秋冬限定的暖色系列。",
    "开封后最好在三天内饮用完毕，请冷藏保存。",
    "活动最后一天，库存有限，先到先得。",
    "我们的门店遍布全国200多个城市，欢迎到店体验。",
    "本品最佳食用期为开封后7天，请置于阴凉干燥处。",
    "客服热线400-820-8820，工作时间为每天9点至21点。",
    "详情页图片仅供参考，请以实物为准。",
    "全新升级的降噪耳机，续航时间长达30小时，支持快充。",
    "购买即赠精美礼盒一份，数量有限，送完即止。",
]
RISKY = [
    "全网第一的爆款，闭眼入不踩雷！",
    "这是市面上效果最 好的防晒霜。",
    "頂級面料，國家級工藝。",
    "销量ＮＯ．１，好评如潮。",
    "每天一杯，治疗失眠，无副作用。",
    "考研冲刺班保过，不过退款！",
    "理财产品保本保息，稳赚不赔。",
    "请填写手机号领取优惠券，继续使用即视为同意。",
    "联系王经理13812345678，或发邮件至wang.jingli@example.com。",
    "祛痘精华100%有效，7天见效。",
]


def generate_corpus(directory: Path, megabytes: float, files: int, seed: int = 2026) -> int:
    rng = random.Random(seed)
    per_file = int(megabytes * 1_000_000 / files)
    total = 0
    for n in range(files):
        lines: list[str] = []
        size = 0
        while size < per_file:
            paragraph = "".join(
                rng.choice(RISKY) if rng.random() < 0.04 else rng.choice(CLEAN)
                for _ in range(rng.randint(3, 8))
            )
            lines.append(paragraph)
            size += len(paragraph.encode("utf-8")) + 1
        data = ("\n".join(lines) + "\n").encode("utf-8")
        (directory / f"draft_{n:04d}.md").write_bytes(data)
        total += len(data)
    return total


def in_process_check(directory: Path) -> float:
    """CPU seconds of rules.check alone over the corpus (no process start, no reading, no output)."""
    import rules
    from rules.checker import default_engine

    default_engine()
    texts = [p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.md"))]
    start = time.process_time()
    for text in texts:
        rules.check(text)
    return time.process_time() - start


def draft_10k_ms(runs: int = 50) -> tuple[float, float, float]:
    """(median, max) wall milliseconds and median CPU milliseconds of rules.check on one 10,000-character
    draft in process (issue 13: <= 50 ms), the draft drawn like the corpus but with a risky sentence every
    fifth on average. On a shared machine the CPU figure is the one to compare."""
    import rules

    rng = random.Random(10_000)
    text = ""
    while len(text) < 10_000:
        text += rng.choice(RISKY) if rng.random() < 0.2 else rng.choice(CLEAN)
    text = text[:10_000]
    rules.check(text)
    times = []
    cpu = []
    for _ in range(runs):
        start, cpu_start = time.perf_counter(), time.process_time()
        rules.check(text)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - cpu_start) * 1000)
    return statistics.median(times), max(times), statistics.median(cpu)


def raw_aho_corasick(directory: Path) -> tuple[float, int]:
    import ahocorasick_rs

    from rules.rulepack import default_packs

    terms = sorted({t for pack in default_packs() for rule in pack.rules for t in (*rule.terms, *rule.allow)})
    ac = ahocorasick_rs.AhoCorasick(terms)
    texts = [p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.md"))]
    start = time.perf_counter()
    hits = sum(len(ac.find_matches_as_indexes(t, overlapping=True)) for t in texts)
    return time.perf_counter() - start, len(terms) if hits >= 0 else 0


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_cli(
    args: list[str], runs: int, cwd: Path = ROOT
) -> tuple[float, float, subprocess.CompletedProcess[bytes]]:
    """Median wall time and median CPU time (user + sys) of the child; the CPU figure is what to compare
    on a shared machine, where wall time includes waiting for a core."""
    times = []
    cpu = []
    proc = None
    for _ in range(runs):
        start, cpu_start = time.perf_counter(), _child_cpu()
        proc = subprocess.run([*BRANDGUARD, *args], cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        cpu.append(_child_cpu() - cpu_start)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"brandguard failed ({proc.returncode}): {proc.stderr.decode()[:500]}")
    assert proc is not None
    return statistics.median(times), statistics.median(cpu), proc


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1, help="passed to brandguard check --jobs")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        size = generate_corpus(corpus, args.mb, args.files)
        mb = size / 1_000_000
        command = ["check", str(corpus), "--format", "json", "--fail-on", "never", "--jobs", str(args.jobs)]
        # Two cases: a copy repository (no BrandGuard installation: nothing is recorded) and an
        # installation, where every checked file also gets a compliance-log entry in SQLite.
        work = Path(tmp)
        state = ["--data-dir", str(work / "state")]
        (work / "state").mkdir()
        elapsed, cpu, proc = time_cli(command, args.runs, cwd=work)
        audited, audited_cpu, _ = time_cli([*state, *command], args.runs, cwd=work)
        doc = json.loads(proc.stdout)
        findings = sum(len(r["findings"]) for r in doc["results"])
        raw_elapsed, term_count = raw_aho_corasick(corpus)
        core_cpu = in_process_check(corpus)
        draft_median, draft_max, draft_cpu = draft_10k_ms()
        draft = Path(tmp) / "draft.md"
        rng = random.Random(7)
        text = ""
        while len(text) < 2000:
            text += rng.choice(RISKY) if rng.random() < 0.2 else rng.choice(CLEAN)
        draft.write_text(text[:2000], encoding="utf-8")
        short_runs = max(args.runs, 5)
        single, single_cpu, _ = time_cli(["check", str(draft)], short_runs, cwd=work)
        single_audited, single_audited_cpu, _ = time_cli([*state, "check", str(draft)], short_runs, cwd=work)
        version, version_cpu, _ = time_cli(["--version"], short_runs, cwd=work)
        load = os.getloadavg()[0]
    print(f"corpus: {mb:.1f} MB in {args.files} files, {findings} findings")
    print(f"load average at the end: {load:.1f} on {os.cpu_count()} cores")
    print(
        f"brandguard check --jobs {args.jobs} (end to end, median of {args.runs}): wall {elapsed:.2f} s = "
        f"{mb / elapsed:.1f} MB/s; CPU {cpu:.2f} s = {mb / cpu:.1f} MB/s"
    )
    print(
        f"same, in an installation ({args.files} compliance-log entries written): wall {audited:.2f} s = "
        f"{mb / audited:.1f} MB/s; CPU {audited_cpu:.2f} s = {mb / audited_cpu:.1f} MB/s"
    )
    print(
        f"rules.check in process (CPU, no start-up / IO / output): {core_cpu:.2f} s = "
        f"{mb / core_cpu:.1f} MB/s"
    )
    print(
        f"one 10,000-character draft in process (50 runs): wall median {draft_median:.1f} ms, "
        f"max {draft_max:.1f} ms; CPU median {draft_cpu:.1f} ms"
    )
    print(
        f"raw ahocorasick_rs scan of {term_count} terms, same text: {raw_elapsed:.3f} s = "
        f"{mb / raw_elapsed:.0f} MB/s"
    )
    print(
        f"one 2,000-character draft from the shell (median of {max(args.runs, 5)}): wall {single:.3f} s, "
        f"CPU {single_cpu:.3f} s"
    )
    print(
        f"same, in an installation (one compliance-log entry): wall {single_audited:.3f} s, "
        f"CPU {single_audited_cpu:.3f} s"
    )
    print(
        f"`brandguard --version` from the shell (interpreter + CLI start-up): wall {version:.3f} s, "
        f"CPU {version_cpu:.3f} s"
    )


if __name__ == "__main__":
    main()
