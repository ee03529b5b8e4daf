"""Alert policy, incidents, the response-deadline clock and notifiers. Cores take ``now`` as a parameter.

Modules (pure unless noted):

- ``policy``: is a scored mention alertable, and at which tier (P1/P2/P3)
- ``story``: does a mention under another story key tell an open incident's story
- ``severity``: tier ordering
- ``deadline``: respond_by (24x7 or PRC business calendar), reminder/escalation/breach planning
- ``transitions``: the incident life cycle
- ``quiet``, ``ratelimit``, ``backoff``: when a message may go out
- ``message``: Chinese message texts and digests
- ``sla``: answered-in-time share, time to ack/respond percentiles, breaches
- ``notifiers``: webhook, WeCom, DingTalk, Feishu, e-mail (the IO edge of this package)

The database side lives in ``monitor.incidents`` and ``monitor.incidents.outbox``.
"""
