"""The brand-health index (品牌健康度), 0-100, and the formula shown beside it.

    health = 100 x (0.5 x sentiment + 0.25 x response + 0.25 x voice)

* sentiment = (1 + (positive - negative) / scored) / 2: 1 when every scored mention is positive, 0 when
  every one is negative, 0.5 when balanced or when nothing was scored;
* response = share of due incidents answered inside their deadline (1 when none was due);
* voice = the brand's share of voice / the largest share among it and its competitors (1 for the
  leader, and 1 when no competitor is configured).

Weights favour sentiment because that is what leadership asks about first; response rewards the team for
what it controls; voice keeps a quiet-but-positive brand from looking healthier than a leader.
"""

from __future__ import annotations

from dataclasses import dataclass

WEIGHTS = {"sentiment": 0.5, "response": 0.25, "voice": 0.25}
FORMULA = "健康度 = 100 × (0.5 × 情感 + 0.25 × 响应 + 0.25 × 声量)"


@dataclass(frozen=True)
class Health:
    score: int
    sentiment: float
    response: float
    voice: float

    @property
    def explained(self) -> str:
        return (
            f"{self.score} = 100 × (0.5 × {self.sentiment:.2f} + 0.25 × {self.response:.2f}"
            f" + 0.25 × {self.voice:.2f})"
        )


def health_index(
    *,
    positive: int,
    negative: int,
    scored: int,
    in_time: int,
    due: int,
    share: float | None,
    top_share: float | None,
) -> Health:
    sentiment = (1 + (positive - negative) / scored) / 2 if scored else 0.5
    response = in_time / due if due else 1.0
    voice = (share or 0.0) / top_share if top_share else 1.0
    raw = 100 * (WEIGHTS["sentiment"] * sentiment + WEIGHTS["response"] * response + WEIGHTS["voice"] * voice)
    return Health(score=round(raw), sentiment=sentiment, response=response, voice=voice)
