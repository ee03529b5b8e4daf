"""Alert decisions: incident update, tiers, routing, escalation, the deadline clock, delivery planning,
message rendering, and notifiers. Cores are pure and take ``now`` as a parameter; they import nothing
from ``monitor``, ``rules`` or ``models`` and receive configuration as plain values.

Modules (pure unless noted):

- ``policy``: is a scored mention alertable, and the tier (P1/P2/P3) an aggregate of signals earns
- ``incident_update``: open an incident, or attach a mention to one: sums, "severity only rises",
  deadline shortening on a rise, re-notification once per tier
- ``story``: does a mention under another story key tell an open incident's story
- ``severity``: tier ordering
- ``deadline``: respond_by (24x7 or PRC business calendar), reminder/escalation/breach planning, the tick
- ``routing``: which channels hear about an incident, per message kind (team, escalation, breach: both)
- ``transitions``: the incident life cycle
- ``outgoing``: the outbox messages of a decision: rendered text, idempotency key, quiet-hour hold
- ``delivery``: per channel, what to send now, what waits (rate budget), what folds into a digest
- ``send_outcome``: what a send's result means (sent, retry with backoff, rate limited, channel disabled)
- ``quiet``, ``ratelimit``, ``backoff``: the time arithmetic behind the two above
- ``message``: Chinese message texts and digests
- ``sla``: answered-in-time share, time to ack/respond percentiles, breaches
- ``notifiers``: webhook, WeCom, DingTalk, Feishu, e-mail (the IO edge of this package), and
  ``notifiers.registry``, the one table from channel kind to notifier

The database side lives in ``monitor.incidents`` (flow and transactions) and ``monitor.storage``
(``incidents_repo``, ``deadline_events_repo``, ``outbox_repo``).
"""
