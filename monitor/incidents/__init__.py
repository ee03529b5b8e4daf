"""Incidents wing: the alert path at the database edge, from a scored mention to a delivered message.

It owns intake (a stored mention becomes a new incident or joins the open one for its story), the
deadline clock tick (reminders, escalations, breaches exactly once), people's actions (acknowledge,
respond, resolve, dismiss), the read side (listings, one incident's timeline, SLA input) and the
durable outbox that hands messages to the notifiers. Every decision it applies is made in ``alerts/``;
this wing loads rows, asks the pure cores, and stores the answer with its audit entry in one
transaction. Other wings use the names below.
"""

from monitor.incidents.actions import acknowledge, dismiss, resolve, respond
from monitor.incidents.clock import tick_deadlines
from monitor.incidents.intake import process_pending_mentions
from monitor.incidents.queries import get_incident, list_incidents

__all__ = [
    "acknowledge",
    "dismiss",
    "get_incident",
    "list_incidents",
    "process_pending_mentions",
    "resolve",
    "respond",
    "tick_deadlines",
]
