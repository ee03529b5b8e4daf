"""The checkpoint keys: the current key signs, old keys only verify (key rotation).

``BRANDGUARD_AUDIT_KEY`` is the current key (``monitor.audit.signing.load_key``). After a rotation the
previous secrets go into ``BRANDGUARD_AUDIT_OLD_KEYS``, comma-separated, each either ``key_id:secret``
(when the old key had an explicit ``BRANDGUARD_AUDIT_KEY_ID``) or the bare secret (its key id is then the
fingerprint ``k-<12 hex>`` that ``load_key`` derives). A checkpoint names its ``key_id``; verification
picks that key from the ring, so checkpoints signed before a rotation keep verifying and one signed with
a key the ring does not hold is reported as such.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from monitor.audit.signing import KEY_ENV, KEY_ID_ENV, AuditKey, Checkpoint, load_key, signature_problem

OLD_KEYS_ENV = "BRANDGUARD_AUDIT_OLD_KEYS"


@dataclass(frozen=True, slots=True)
class KeyRing:
    current: AuditKey
    old: Mapping[str, AuditKey] = field(default_factory=dict)

    def __repr__(self) -> str:  # key ids only, never a secret
        return f"KeyRing(current={self.current.key_id!r}, old={sorted(self.old)!r})"

    def for_id(self, key_id: str) -> AuditKey | None:
        if key_id == self.current.key_id:
            return self.current
        return self.old.get(key_id)

    def problem(self, checkpoint: Checkpoint) -> str | None:
        """Why ``checkpoint``'s signature cannot be trusted, or None when a key of the ring verifies it."""
        key = self.for_id(checkpoint.key_id)
        if key is None:
            known = ", ".join(repr(k) for k in [self.current.key_id, *sorted(self.old)])
            return f"signed with key {checkpoint.key_id!r}, which is none of the known keys ({known})"
        return signature_problem(checkpoint, key)


def load_keyring(environ: Mapping[str, str] | None = None) -> KeyRing | None:
    """The ring from the environment; None without a current key (old keys alone cannot sign)."""
    env = os.environ if environ is None else environ
    current = load_key(env)
    if current is None:
        return None
    old: dict[str, AuditKey] = {}
    for item in env.get(OLD_KEYS_ENV, "").split(","):
        item = item.strip()
        if not item:
            continue
        key_id, sep, secret = item.partition(":")
        single = {KEY_ENV: secret if sep else key_id}
        if sep:
            single[KEY_ID_ENV] = key_id
        key = load_key(single)
        if key is not None and key.key_id != current.key_id:
            old[key.key_id] = key
    return KeyRing(current=current, old=old)


def as_ring(key: AuditKey | KeyRing | None) -> KeyRing | None:
    if key is None or isinstance(key, KeyRing):
        return key
    return KeyRing(current=key)
