"""Incidents wing: the alert path at the database edge, from a scored mention to a delivered message.

It owns the flow and the transactions; every decision it applies is made in ``alerts/`` and every SQL
statement lives in ``monitor.storage`` (``incidents_repo``, ``deadline_events_repo``, ``outbox_repo``).
Each step loads rows, asks the pure cores, and stores the answer with its audit entry in one transaction.

Modules:

* ``intake``    a stored mention opens an incident or joins the open one for its story
                (``alerts.policy``, ``alerts.incident_update``, ``alerts.routing``)
* ``clock``     the deadline tick: reminders, escalations, breaches exactly once (``alerts.deadline``)
* ``actions``   people's acknowledge / respond / resolve / dismiss (``alerts.transitions``)
* ``enqueue``   decided notifications into the durable outbox (``alerts.outgoing``)
* ``outbox``    claim, plan (``alerts.delivery``), send (``alerts.notifiers``),
                record (``alerts.send_outcome``)
* ``channels``  channel state and re-enabling a disabled channel
* ``queries``   listings, the board, one incident's timeline, SLA input, feedback, channel health
* ``settings``  configuration as the plain values ``alerts`` takes; secrets from the environment
* ``journal``   the alert path's compliance-log entries
* ``ops``       people running incidents: owner, notes, merge, split
* ``spikes``    brand-level volume spikes against a seasonal baseline (``alerts.spike``)
* ``card_settings``, ``calendar_status``  on-call and signed links for cards; the holiday-data warning

Other wings use the names below.
"""

from monitor.incidents.actions import acknowledge, dismiss, resolve, respond
from monitor.incidents.channels import enable_channel
from monitor.incidents.clock import tick_deadlines
from monitor.incidents.intake import pending_events_count, process_pending_mentions
from monitor.incidents.outbox import deliver_due
from monitor.incidents.queries import (
    channel_status,
    dismissed_feedback,
    get_incident,
    list_incidents,
    open_board,
    sla_inputs,
)
from monitor.incidents.spikes import check_spikes

__all__ = [
    "acknowledge",
    "channel_status",
    "check_spikes",
    "deliver_due",
    "dismiss",
    "dismissed_feedback",
    "enable_channel",
    "get_incident",
    "list_incidents",
    "open_board",
    "pending_events_count",
    "process_pending_mentions",
    "resolve",
    "respond",
    "sla_inputs",
    "tick_deadlines",
]
