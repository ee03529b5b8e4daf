from __future__ import annotations

from dataclasses import replace

import pytest

from monitor.audit.signing import KEY_ENV, KEY_ID_ENV, load_key, make_checkpoint, signature_problem
from tests.monitor.audit.helpers import KEY, OTHER_KEY, T0


@pytest.mark.parametrize(
    ("raw", "secret"),
    [
        ("00ff" * 16, bytes.fromhex("00ff" * 16)),
        ("correct horse battery", b"correct horse battery"),
        ("abcd", b"abcd"),
    ],
)
def test_load_key_decodes_long_hex_and_keeps_other_strings(raw: str, secret: bytes) -> None:
    key = load_key({KEY_ENV: raw})
    assert key is not None and key.secret == secret and key.key_id.startswith("k-")
    assert raw not in repr(key)


def test_load_key_absent_and_explicit_id() -> None:
    assert load_key({}) is None
    key = load_key({KEY_ENV: "s3cret", KEY_ID_ENV: "2026-q4"})
    assert key is not None and key.key_id == "2026-q4"


def test_checkpoint_signature_detects_edits_and_wrong_keys() -> None:
    checkpoint = make_checkpoint(KEY, kind="periodic", seq=1000, entry_hash="ab" * 32, count=1000, ts=T0)
    assert signature_problem(checkpoint, KEY) is None
    assert "signature invalid" in str(signature_problem(replace(checkpoint, seq=999), KEY))
    assert "signature invalid" in str(signature_problem(replace(checkpoint, entry_hash="cd" * 32), KEY))
    assert "signature invalid" in str(signature_problem(checkpoint, OTHER_KEY))
    assert "no key" in str(signature_problem(checkpoint, None))
    assert "not the configured key" in str(signature_problem(replace(checkpoint, key_id="old"), KEY))
