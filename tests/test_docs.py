"""Every command in the documentation runs: a command that stops working fails CI.

The test reads the fenced ```sh blocks of README.md and docs/*.md and runs them, one working directory per
document, blocks in document order (a later block may use what an earlier one made).

How a block is run:

* Each document gets a fresh temporary directory, copied from one prepared template: ``.venv`` links to
  the virtual environment running the tests (so ``.venv/bin/brandguard`` works) and its ``bin`` is first
  on ``PATH`` (so ``brandguard`` works); ``models``, ``rules``, ``bench`` and ``tests`` link to the
  repository (read-only use: doc commands must not write into them); ``../shared`` is not there.
  ``HOME`` is a temporary directory, and every ``BRANDGUARD_*`` variable of the caller is removed.
* The guides for PR and the API start "after ``brandguard demo --once``": a document whose blocks use
  ``.brandguard/demo`` without running the demo themselves gets a copy of demo data made once per session.
* Commands may use ``bash``, ``curl`` and ``python3`` (the venv's, first on ``PATH``).
* A block is one ``bash`` script (variables and ``export`` carry over between its commands, not between
  blocks). After every command the script checks its exit status: 0, or N when the command's line ends
  with a comment ``# exit N`` (``brandguard check`` exits 1 on findings). Pipelines use ``pipefail``.
  Comment lines, ``\\`` continuations and here-documents are understood.
* Ports 8080 (``serve``) and 8081 (a local feed) are the documented ports; the runner rewrites each to a
  free port so the test never collides with a server already running on the machine.
* Processes a block leaves in the background are killed when it ends.

Blocks that must not run get a marker on the line before the fence, with the reason:
``<!-- not run: installs packages -->``. Use them for commands that install things, run forever, need a
real external service (PostgreSQL, a public feed, a bot's key) or take minutes. Output-only examples use
```console (or ```text) fences and are not commands. A ```sh block with no marker always runs; an empty
reason is an error. The inventory test prints how many blocks ran and how many were skipped, and why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.doc_blocks import BLOCK_TIMEOUT_S, Block, extract_blocks, free_port, run_block, split_commands

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINKED_FROM_REPO = ("models", "rules", "bench", "tests")
DOCUMENTED_PORTS = ("8080", "8081")  # rewritten to free ports


def _doc_blocks() -> list[Block]:
    return [b for doc in DOCS for b in extract_blocks(doc.read_text("utf-8"), str(doc.relative_to(ROOT)))]


# --- the extractor and runner can fail ------------------------------------------------------------

SAMPLE = textwrap.dedent(
    """\
    Intro.

    ```sh
    echo one   # a comment
    # a comment line
    printf 'a\\n' | \\
        grep a
    cat > f.txt <<'EOF'
    not a command: exit 3
    EOF
    false   # exit 1
    ```

    <!-- not run: needs a real bot key -->
    ```sh
    curl https://example.invalid
    ```

    ```console
    $ brandguard check x
    ```

    <!-- not run:   -->
    ```sh
    true
    ```
    """
)


def test_extractor_finds_blocks_markers_and_commands() -> None:
    blocks = extract_blocks(SAMPLE)
    assert [(b.lang, b.not_run) for b in blocks] == [
        ("sh", None),
        ("sh", "needs a real bot key"),
        ("console", None),
        ("sh", ""),
    ]
    commands = split_commands(blocks[0].text)
    assert [c.text.splitlines()[0] for c in commands] == [
        "echo one   # a comment",
        "printf 'a\\n' | \\",
        "cat > f.txt <<'EOF'",
        "false   # exit 1",
    ]
    assert [c.expected_exit for c in commands] == [0, 0, 0, 1]


def test_runner_passes_good_blocks_and_fails_broken_ones(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    good = extract_blocks(SAMPLE)[0]
    assert run_block(good, tmp_path, env).ok
    assert (tmp_path / "f.txt").read_text() == "not a command: exit 3\n"

    broken = Block("x.md", 1, "sh", "echo before\nls /no/such/dir\necho after\n", None)
    outcome = run_block(broken, tmp_path, env)
    assert not outcome.ok
    assert any("DOCS: command 2" in line and "exited 2, expected 0" in line for line in outcome.log)
    assert "after" not in outcome.log

    wrong_status = Block("x.md", 1, "sh", "true   # exit 1\n", None)
    assert not run_block(wrong_status, tmp_path, env).ok
    failing_pipe = Block("x.md", 1, "sh", "false | cat\n", None)
    assert not run_block(failing_pipe, tmp_path, env).ok
    assert not run_block(Block("x.md", 1, "sh", "# only a comment\n", None), tmp_path, env).ok


def test_runner_kills_what_a_block_leaves_in_the_background(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    block = Block("x.md", 1, "sh", "sleep 300 &\necho $! > pid\n", None)
    assert run_block(block, tmp_path, env).ok
    pid = int((tmp_path / "pid").read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead, only not reaped yet


# --- the documents --------------------------------------------------------------------------------


def test_every_sh_block_runs_or_says_why_not(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = [b for b in _doc_blocks() if b.lang in ("sh", "bash", "shell")]
    assert blocks, "no ```sh blocks found in the docs"
    unmarked_other_shells = [f"{b.path}:{b.line}" for b in blocks if b.lang != "sh"]
    assert not unmarked_other_shells, f"use ```sh (run) or ```console (output only): {unmarked_other_shells}"
    empty_reasons = [f"{b.path}:{b.line}" for b in blocks if b.not_run == ""]
    assert not empty_reasons, f"`<!-- not run: ... -->` needs a reason: {empty_reasons}"
    skipped = [b for b in blocks if b.not_run]
    run = [b for b in blocks if not b.not_run]
    commands = sum(len(split_commands(b.text)) for b in run)
    with capsys.disabled():
        print(f"\ndocs: {len(run)} sh blocks ({commands} commands) run, {len(skipped)} not run:")
        for b in skipped:
            print(f"  {b.path}:{b.line}: {b.not_run}")
    assert len(run) > len(skipped), "most documented commands must run"


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRANDGUARD_", "PYTEST_", "COV_"))}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
        HOME=str(home),
        LC_ALL="C.UTF-8",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("VIRTUAL_ENV", None)
    return env


def _prepare_template(root: Path) -> None:
    """What every document's directory starts from: the venv and read-only repository data."""
    root.mkdir()
    (root / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    for name in LINKED_FROM_REPO:
        (root / name).symlink_to(ROOT / name, target_is_directory=True)


def _prepare_demo(root: Path) -> Path:
    """The guides for PR and the API say "after `brandguard demo --once`": that is run once, here."""
    root.mkdir()
    home = root / "home"
    home.mkdir()
    subprocess.run(
        [str(Path(sys.executable).parent / "brandguard"), "demo", "--once", "--format", "json"],
        cwd=root,
        env=_environment(home),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=BLOCK_TIMEOUT_S,
    )
    return root / ".brandguard" / "demo"


def _uses_prepared_demo(blocks: list[Block]) -> bool:
    runnable = [b.text for b in blocks if b.lang == "sh" and not b.not_run]
    return any(".brandguard/demo" in t for t in runnable) and not any("demo --once" in t for t in runnable)


def _run_document(document: str, template: Path, demo: Future[Path], base: Path) -> list[str]:
    blocks = extract_blocks((ROOT / document).read_text("utf-8"), document)
    workdir = base / "work"
    shutil.copytree(template, workdir, symlinks=True)
    if _uses_prepared_demo(blocks):
        shutil.copytree(demo.result(), workdir / ".brandguard" / "demo")
    home = base / "home"
    home.mkdir()
    env = _environment(home)
    failures: list[str] = []
    for block in blocks:
        if block.lang != "sh" or block.not_run:
            continue
        outcome = run_block(block, workdir, env, ports={p: free_port() for p in DOCUMENTED_PORTS})
        if not outcome.ok:
            failures.append(outcome.message + "\n    " + "\n    ".join(outcome.log[-25:]))
    return failures


def _documents_with_blocks() -> Iterator[str]:
    for doc in DOCS:
        if any(b.lang == "sh" and not b.not_run for b in extract_blocks(doc.read_text("utf-8"))):
            yield str(doc.relative_to(ROOT))


@pytest.fixture(scope="module")
def document_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Future[list[str]]]]:
    """All documents run at once, each in its own directory: most of the time is waiting on processes."""
    if not (Path(sys.executable).parent / "brandguard").exists():
        pytest.fail(f"no brandguard next to {sys.executable}: install with pip install -e '.[dev]'")
    base = tmp_path_factory.mktemp("docs")
    _prepare_template(base / "template")
    documents = list(_documents_with_blocks())
    with ThreadPoolExecutor(max_workers=len(documents) + 1) as pool:
        demo = pool.submit(_prepare_demo, base / "demo")
        yield {
            doc: pool.submit(_run_document, doc, base / "template", demo, tmp_path_factory.mktemp("doc"))
            for doc in documents
        }


@pytest.mark.timeout(300)  # the first document also waits for the shared set-up; ~50 s of CPU in all
@pytest.mark.parametrize("document", list(_documents_with_blocks()))
def test_documented_commands_work(document: str, document_runs: dict[str, Future[list[str]]]) -> None:
    failures = document_runs[document].result()
    assert not failures, "documented commands failed:\n" + "\n".join(failures)


_LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_links_between_documents_resolve() -> None:
    broken: list[str] = []
    for doc in DOCS:
        text = doc.read_text("utf-8")
        for match in _LINK.finditer(text):
            target = match["target"]
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = target.partition("#")
            file = (doc.parent / path).resolve() if path else doc
            if not file.exists():
                broken.append(f"{doc.relative_to(ROOT)}: {target}")
                continue
            if anchor and file.suffix == ".md":
                headings = {
                    _anchor(line.lstrip("#"))
                    for line in file.read_text("utf-8").splitlines()
                    if line.startswith("#")
                }
                if anchor not in headings:
                    broken.append(f"{doc.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, f"links to nothing: {broken}"


def test_the_copywriters_guide_names_every_bundled_rule_and_industry_pack() -> None:
    """A rule added to rules/packs/ without a line in the guide's table fails here."""
    import tomllib

    guide = (ROOT / "docs" / "copywriters.md").read_text("utf-8")
    missing: list[str] = []
    for pack in sorted((ROOT / "rules" / "packs").glob("*.toml")):
        data = tomllib.loads(pack.read_text("utf-8"))
        for rule in data.get("rules", []):
            rule_id = rule["id"]
            if f"`{rule_id}`" not in guide and f"`{rule_id.split('.')[0]}.*`" not in guide:
                missing.append(rule_id)
    for industry in sorted((ROOT / "rules" / "packs" / "industry").glob("*.toml")):
        if f"`{industry.stem}`" not in guide:
            missing.append(f"industry pack {industry.stem}")
    assert not missing, f"docs/copywriters.md does not mention: {missing}"


_CONFIG_TABLES = re.compile(
    r"^\[{1,2}(storage|daemon|brands|sources|alerts|channels|routes|audit)\]{1,2}\s*$", re.M
)


def test_configuration_examples_are_valid() -> None:
    """A ```toml block of brandguard.toml tables in the docs must load, with its named secrets set."""
    import tomllib

    from monitor.config import config_from_dict

    checked = 0
    for doc in DOCS:
        for block in extract_blocks(doc.read_text("utf-8"), str(doc.relative_to(ROOT))):
            if block.lang != "toml" or not _CONFIG_TABLES.search(block.text):
                continue
            names = re.findall(r"_env\s*=\s*\"([A-Z0-9_]+)\"", block.text)
            config_from_dict(
                tomllib.loads(block.text),
                label=f"{block.path}:{block.line}",
                environ=dict.fromkeys(names, "x"),
            )
            checked += 1
    assert checked, "no brandguard.toml example found in the docs"
