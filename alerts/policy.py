"""Alert policy: is a scored mention alertable, and which severity tier an aggregate of signals earns.

Pure: facts and parameters in, a decision out. What an incident does with a new mention (sums, "severity
only rises", deadline shortening, re-notification) is ``alerts.incident_update``, built on these two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PolicyParams:
    threshold: float = 0.7
    crisis_min_reach: int = 1_000
    p1_negativity: float = 0.95
    reach_p1: int = 100_000
    reach_p2: int = 10_000
    velocity_p1: int = 20
    velocity_p2: int = 5


@dataclass(frozen=True)
class MentionFacts:
    p_negative: float | None
    risk_terms: Sequence[str] = ()
    followers: int | None = None
    likes: int | None = None
    reposts: int | None = None
    comments: int | None = None

    @property
    def reach(self) -> int:
        # Only what the source reports (or the source's configured audience, stored as followers);
        # unknown counts add nothing rather than guessing. Comments are engagement like likes.
        return sum(v for v in (self.followers, self.likes, self.reposts, self.comments) if v)


def is_alertable(facts: MentionFacts, params: PolicyParams) -> tuple[bool, tuple[str, ...]]:
    """Whether the mention is risky on its own, with the reasons (they go into the audit entry)."""
    reasons: list[str] = []
    p = facts.p_negative or 0.0
    if p >= params.threshold:
        reasons.append(f"p_negative {p:.2f} >= {params.threshold:.2f}")
    if facts.risk_terms and facts.reach >= params.crisis_min_reach:
        reasons.append(f"crisis terms {','.join(facts.risk_terms)} with reach {facts.reach}")
    return bool(reasons), tuple(reasons)


def severity_for(
    *, max_p_negative: float, reach: int, velocity: int, crisis_terms: Sequence[str], params: PolicyParams
) -> str:
    """Tier from the incident's aggregate: negativity, reach, velocity and crisis terms.

    Each signal votes for a tier; the most severe vote wins. Crisis terms alone lift to P2, and to P1
    together with P2-level reach, because a recall or exposé that is already spreading is the classic
    golden-four-hours case.
    """
    tier = "P3"
    spreading = reach >= params.reach_p2 or velocity >= params.velocity_p2
    if reach >= params.reach_p1 or velocity >= params.velocity_p1:
        return "P1"
    if spreading and (crisis_terms or max_p_negative >= params.p1_negativity):
        return "P1"
    if spreading or crisis_terms:
        tier = "P2"
    return tier
