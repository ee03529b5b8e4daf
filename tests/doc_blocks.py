"""The ```sh block runner behind tests/test_docs.py: extract fenced blocks, split them into commands, run.

Kept apart from the tests so the runner's own behaviour (markers, here-documents, expected exits,
background processes killed) is one readable module; tests/test_docs.py says how documents are run.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

BLOCK_TIMEOUT_S = 60

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")
_NOT_RUN = re.compile(r"^\s*<!--\s*not run:(?P<reason>.*?)-->\s*$")
_EXPECTED_EXIT = re.compile(r"#\s*exit\s+(\d+)\b")
_HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")


@dataclass(frozen=True)
class Block:
    path: str
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    not_run: str | None  # the reason, when marked


@dataclass(frozen=True)
class Command:
    line: int  # 1-based line inside the block
    text: str
    expected_exit: int


@dataclass
class Outcome:
    ok: bool
    message: str = ""
    commands: int = 0
    log: list[str] = field(default_factory=list)


def extract_blocks(markdown: str, path: str = "<doc>") -> list[Block]:
    """Fenced code blocks with their language and the `not run` marker on the line before, if any."""
    blocks: list[Block] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence, lang, indent = opening["fence"], opening["lang"].lower(), len(opening["indent"])
        body: list[str] = []
        j = i + 1
        closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        while j < len(lines) and not closing.match(lines[j]):
            body.append(lines[j][indent:] if lines[j][:indent].strip() == "" else lines[j])
            j += 1
        previous = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
        marker = _NOT_RUN.match(previous)
        blocks.append(
            Block(
                path=path,
                line=i + 1,
                lang=lang,
                text="\n".join(body) + "\n",
                not_run=marker["reason"].strip() if marker else None,
            )
        )
        i = j + 1
    return blocks


def split_commands(script: str) -> list[Command]:
    """Logical commands of a shell block: continuations joined, here-documents kept with their command."""
    commands: list[Command] = []
    lines = script.splitlines()
    i = 0
    while i < len(lines):
        first = lines[i]
        if not first.strip() or first.lstrip().startswith("#"):
            i += 1
            continue
        start = i
        parts = [first]
        while parts[-1].rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            parts.append(lines[i])
        heredoc = _HEREDOC.search(" ".join(parts))
        if heredoc:
            terminator = heredoc.group(2)
            while i + 1 < len(lines):
                i += 1
                parts.append(lines[i])
                if lines[i].strip() == terminator:
                    break
            else:
                raise ValueError(f"line {start + 1}: here-document {terminator!r} is not closed")
        expected = _EXPECTED_EXIT.search(parts[0])
        commands.append(Command(start + 1, "\n".join(parts), int(expected.group(1)) if expected else 0))
        i += 1
    return commands


def build_script(commands: list[Command]) -> str:
    """The block as one bash script that stops at the first command with an unexpected exit status."""
    out = ["set -o pipefail"]
    for number, command in enumerate(commands, 1):
        first_line = command.text.splitlines()[0].replace("'", "'\\''")
        out.append(command.text)
        out.append(
            f'__docs_status=$?; if [ "$__docs_status" -ne {command.expected_exit} ]; then '
            f"printf '%s\\n' 'DOCS: command {number} (block line {command.line}) exited '\"$__docs_status\""
            f"', expected {command.expected_exit}: {first_line}' >&2; exit 97; fi"
        )
    return "\n".join(out) + "\n"


def run_block(
    block: Block, cwd: Path, env: dict[str, str], *, ports: dict[str, str] | None = None
) -> Outcome:
    commands = split_commands(block.text)
    if not commands:
        return Outcome(False, f"{block.path}:{block.line}: ```sh block without a command")
    script = build_script(commands)
    for documented, free in (ports or {}).items():
        script = script.replace(documented, free)
    # Output goes to a file, not a pipe: a server left in the background would hold a pipe open.
    log_path = cwd / f".docs-block-{block.line}.log"
    with log_path.open("w+", encoding="utf-8", errors="replace") as log:
        proc = subprocess.Popen(
            ["bash", "-c", script],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            proc.wait(timeout=BLOCK_TIMEOUT_S)
            ok = proc.returncode == 0
            message = "" if ok else f"{block.path}:{block.line}: exit {proc.returncode}"
        except subprocess.TimeoutExpired:
            ok, message = False, f"{block.path}:{block.line}: no result after {BLOCK_TIMEOUT_S} s"
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # whatever the block left running in the background
            proc.wait()
        log.seek(0)
        output = log.read()
    log_path.unlink()
    return Outcome(ok, message, len(commands), output.splitlines())


def free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])
