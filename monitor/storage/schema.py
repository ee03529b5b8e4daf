"""The database schema (SQLAlchemy Core). Alembic migrations in monitor/storage/migrations must match it.

All times are stored as timezone-aware UTC (``DateTime(timezone=True)``); SQLite stores them as text,
so code reading them back must re-attach UTC where the driver drops it (see ``monitor.storage.times``).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

UTC_TIME = DateTime(timezone=True)

# --- crawling -----------------------------------------------------------------------------------

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # rss | atom | html | json
    Column("url", Text, nullable=False),
    Column("brands", JSON, nullable=False, default=list),  # brand names this source is matched against
    Column("interval_s", Integer, nullable=False, default=900),
    Column("tz", String(64), nullable=False, default="Asia/Shanghai"),
    # schedule state lives here, not in an APScheduler job store (DESIGN.md)
    Column("next_check_at", UTC_TIME, nullable=False),
    Column("consecutive_errors", Integer, nullable=False, default=0),
    Column("first_error_at", UTC_TIME),  # start of the current failure streak
    Column("last_error", Text),
    Column("last_success_at", UTC_TIME),
    Column("last_checked_at", UTC_TIME),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("body_sha256", String(64)),
    Column("baseline_done", Boolean, nullable=False, default=False),
    Column("disabled_at", UTC_TIME),
    Column("disabled_reason", Text),
    # claim: several daemons share one PostgreSQL database; a due row is claimed by a conditional update
    Column("claimed_by", String(100)),
    Column("claimed_until", UTC_TIME),
    Column("fetch_count", Integer, nullable=False, default=0),
    Column("created_at", UTC_TIME, nullable=False),
)
Index("ix_sources_due", sources.c.next_check_at)

# A period [started_at, ended_at) during which the source was NOT covered (blind window). Shared contract
# of the platforms wing (writer: storage/outages_repo.py), reports and /metrics (readers); NULL = until now.
source_outages = Table(
    "source_outages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    # failing | throttled | blocked | needs_config | disabled | daemon_down
    Column("state", String(32), nullable=False),
    Column("reason", Text),  # e.g. "login required", "cookie expired", "HTTP 503"
    Column("started_at", UTC_TIME, nullable=False),
    Column("ended_at", UTC_TIME),  # NULL while the source is still not covered
)
Index("ix_source_outages_source_time", source_outages.c.source_id, source_outages.c.started_at)

mentions = Table(
    "mentions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="SET NULL")),
    Column("brand", String(200), nullable=False),
    # stable key: guid, else canonical link, else title + date (see monitor.matching.dedup)
    Column("dedup_key", String(64), nullable=False),
    # near-duplicate fingerprint (SimHash, 64 bit) and the story it was linked to
    Column("fingerprint", BigInteger),
    Column("story_key", String(64), nullable=False),
    Column("title", Text, nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("url", Text),
    Column("author", Text),
    Column("published_at", UTC_TIME, nullable=False),
    Column("published_estimated", Boolean, nullable=False, default=False),
    Column("fetched_at", UTC_TIME, nullable=False),
    Column("followers", BigInteger),
    Column("likes", BigInteger),
    Column("reposts", BigInteger),
    Column("comments", BigInteger),  # engagement from platforms and vendor ingest
    Column("label", String(16)),  # negative | neutral | positive
    Column("p_negative", Float),
    Column("risk_terms", JSON, nullable=False, default=list),
    Column("baseline", Boolean, nullable=False, default=False),  # first fetch of a source: never alerted
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="SET NULL")),
    Column("policy_done", Boolean, nullable=False, default=False),  # handed to the alert policy
    UniqueConstraint("brand", "dedup_key", name="uq_mentions_brand_dedup_key"),
)
Index("ix_mentions_brand_published", mentions.c.brand, mentions.c.published_at)
Index("ix_mentions_story", mentions.c.story_key)
Index("ix_mentions_policy_pending", mentions.c.policy_done)
# Briefings (monitor.storage.brief_repo): covers the GROUP BYs of volume, stories, sources and authors so
# they read the index instead of the wide rows; a weekly brief over 1M mentions went 2.6 s -> 0.7 s for
# the volume query alone on SQLite (BENCHMARKS.md).
Index(
    "ix_mentions_brief",
    mentions.c.brand,
    mentions.c.published_at,
    mentions.c.label,
    mentions.c.story_key,
    mentions.c.source_id,
    mentions.c.author,
    mentions.c.followers,
    mentions.c.likes,
    mentions.c.reposts,
)
Index("ix_mentions_incident", mentions.c.incident_id)  # an incident's mentions: timeline, merge, split

# Briefing rollups (monitor.storage.brief_rollup_repo): mention counts per brand, UTC hour and one
# dimension of the brief (label, platform, source), so a brief reads hours x keys instead of every
# mention of the period. Exact by a watermark: the rows cover mentions with id <= brief_rollup_mark.mark;
# a brief adds a live GROUP BY over the mentions above it. Hourly UTC buckets serve every display zone
# whose offset is whole hours (docs/briefings.md).
brief_rollup = Table(
    "brief_rollup",
    metadata,
    Column("brand", String(200), primary_key=True),
    Column("dim", String(8), primary_key=True),  # label | platform | source
    Column("hour", UTC_TIME, primary_key=True),  # UTC hour the mentions were published in
    Column("key", String(200), primary_key=True),  # label, platform name, source id; "" for none
    Column("n", BigInteger, nullable=False),
    Column("negative", BigInteger, nullable=False),
)

# Per story, hour by hour: the sums the top-stories table ranks by. Narrow rows, so a brief reads a
# fraction of the bytes of the mentions even when most stories have one mention an hour; first_id is
# not a difference, so deleting or relabelling a mention recomputes its groups from the rows
# (monitor.storage.brief_groups_repo).
brief_rollup_group = Table(
    "brief_rollup_group",
    metadata,
    Column("brand", String(200), primary_key=True),
    Column("dim", String(8), primary_key=True),  # story (room for other per-key groups)
    Column("hour", UTC_TIME, primary_key=True),
    Column("key", Text, primary_key=True),  # story_key
    Column("n", BigInteger, nullable=False),
    Column("negative", BigInteger, nullable=False),
    Column("followers_sum", BigInteger, nullable=False),
    Column("likes", BigInteger, nullable=False),
    Column("reposts", BigInteger, nullable=False),
    Column("first_id", BigInteger, nullable=False),  # the group's first mention: a story's title and link
)

brief_rollup_mark = Table(
    "brief_rollup_mark",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("mark", BigInteger, nullable=False),  # brief_rollup covers mentions with id <= mark
    Column("updated_at", UTC_TIME, nullable=False),
)

# --- alerts -------------------------------------------------------------------------------------

incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("brand", String(200), nullable=False),
    Column("story_key", String(64), nullable=False),
    Column("severity", String(4), nullable=False),  # P1 | P2 | P3
    Column("state", String(16), nullable=False),  # open | acknowledged | responded | resolved | dismissed
    Column("title", Text, nullable=False, default=""),
    Column("top_mention_id", Integer),
    Column("mention_count", Integer, nullable=False, default=0),
    Column("negative_count", Integer, nullable=False, default=0),
    Column("reach", BigInteger, nullable=False, default=0),
    Column("max_p_negative", Float, nullable=False, default=0.0),
    Column("crisis_terms", JSON, nullable=False, default=list),
    Column("opened_at", UTC_TIME, nullable=False),
    Column("respond_by", UTC_TIME, nullable=False),
    Column("acknowledged_at", UTC_TIME),
    Column("acknowledged_by", String(200)),
    Column("responded_at", UTC_TIME),
    Column("responded_by", String(200)),
    Column("response_text", Text),
    Column("response_url", Text),
    Column("resolved_at", UTC_TIME),
    Column("resolved_by", String(200)),
    Column("dismissed_at", UTC_TIME),
    Column("dismissed_by", String(200)),
    Column("dismiss_reason", Text),
    Column("breached_at", UTC_TIME),
    Column("highest_notified_severity", String(4)),  # re-notify once per tier rise, never per repost
    Column("updated_at", UTC_TIME, nullable=False),
    Column("owner", String(200)),  # who runs it (assign); NULL = nobody yet
    Column("assigned_at", UTC_TIME),
    Column("merged_into", Integer),  # state "duplicate": the incident it was merged into
    Column("reason", Text),  # why it was raised when it is not one story (a brand-level spike)
)
Index("ix_incidents_open_story", incidents.c.brand, incidents.c.story_key, incidents.c.state)
Index("ix_incidents_state_deadline", incidents.c.state, incidents.c.respond_by)

# Internal notes on an incident's timeline (who, when, what); never sent to the bots.
incident_notes = Table(
    "incident_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False),
    Column("author", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UTC_TIME, nullable=False),
)
Index("ix_incident_notes_incident", incident_notes.c.incident_id)

# Reminders (T-2h, T-1h, T-30m), escalation and breach: each fires exactly once per incident.
deadline_events = Table(
    "deadline_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),  # e.g. reminder:-120, escalation, breach
    Column("due_at", UTC_TIME, nullable=False),
    Column("fired_at", UTC_TIME),
    Column("skipped", Boolean, nullable=False, default=False),  # stale after downtime: not sent
    UniqueConstraint("incident_id", "kind", name="uq_deadline_events_incident_kind"),
)
Index("ix_deadline_events_pending", deadline_events.c.fired_at, deadline_events.c.due_at)

# Durable outbox: a decided notification is a row before anything is sent.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("idempotency_key", String(128), nullable=False, unique=True),
    Column("channel", String(200), nullable=False),
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="SET NULL")),
    Column("severity", String(4)),
    Column("kind", String(32), nullable=False),  # opened | escalated | reminder | breach | digest | ...
    Column("payload", JSON, nullable=False),  # rendered message (title, text, markdown, link)
    Column("status", String(16), nullable=False, default="pending"),  # pending | sent | failed | merged
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTC_TIME, nullable=False),
    Column("claimed_by", String(100)),
    Column("claimed_until", UTC_TIME),
    Column("sent_at", UTC_TIME),
    Column("last_error", Text),
    Column("created_at", UTC_TIME, nullable=False),
)
Index("ix_outbox_pending", outbox.c.status, outbox.c.next_attempt_at)

channel_state = Table(
    "channel_state",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("disabled_at", UTC_TIME),
    Column("disabled_reason", Text),  # permanent error: bad key, bad signature
    Column("sent_window", JSON, nullable=False, default=list),  # recent send times for the rate limit
    Column("updated_at", UTC_TIME, nullable=False),
    # Health: a send without the platform's success code is a failure, counted here.
    Column("ok_count", Integer, nullable=False, default=0),
    Column("fail_count", Integer, nullable=False, default=0),
    Column("last_ok_at", UTC_TIME),
    Column("last_fail_at", UTC_TIME),
    Column("last_error", Text),
)

# --- audit --------------------------------------------------------------------------------------

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("ts", UTC_TIME, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("kind", String(64), nullable=False),  # check | incident.ack | notify | config.change | ...
    Column("subject", Text, nullable=False, default=""),
    Column("data", JSON, nullable=False),  # canonical JSON; hashes and masked values, never raw PII
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False, unique=True),
)
Index("ix_audit_log_ts", audit_log.c.ts)
Index("ix_audit_log_actor_kind", audit_log.c.actor, audit_log.c.kind)

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),  # last entry covered
    Column("entry_hash", String(64), nullable=False),
    Column("count", BigInteger, nullable=False),
    Column("ts", UTC_TIME, nullable=False),
    Column("key_id", String(64), nullable=False),
    Column("algorithm", String(32), nullable=False),  # hmac-sha256
    Column("signature", String(128), nullable=False),
    Column("kind", String(16), nullable=False, default="periodic"),  # periodic | purge
)

# --- users --------------------------------------------------------------------------------------

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("role", String(16), nullable=False),  # pr | copywriter | auditor | admin
    Column("password_hash", Text),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UTC_TIME, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("label", String(200)),
    Column("created_at", UTC_TIME, nullable=False),
    Column("revoked_at", UTC_TIME),
)

# Console sessions, server-side: the cookie carries a random id whose SHA-256 is stored here, so logout
# ends every copy of the cookie and disabling a user ends all their sessions (issue 11).
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_sha256", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTC_TIME, nullable=False),
    Column("expires_at", UTC_TIME, nullable=False),
    Column("ended_at", UTC_TIME),
)
Index("ix_web_sessions_user", web_sessions.c.user_id)

# Failed logins within the throttling window, per account ("user:<name>") and per address ("addr:<ip>").
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scope", String(300), nullable=False),
    Column("ts", UTC_TIME, nullable=False),
)
Index("ix_login_failures_scope_ts", login_failures.c.scope, login_failures.c.ts)

# Key/value for small pieces of daemon state (schema version of the model used, last tick times ...).
daemon_state = Table(
    "daemon_state",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", UTC_TIME, nullable=False),
)
