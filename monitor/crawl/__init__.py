"""Crawl wing: the daemon's ticks and one source's crawl from due to stored.

It owns the long-running daemon (APScheduler 3 only ticks; what is due lives in the ``sources``
table, so restarts lose nothing and several daemons share work by claiming rows), the pipeline that
takes one claimed source through fetch -> parse -> match -> dedup -> score -> store and sets its next
check, the real steps wired from the fetch, parse and matching wings and the cores, the pure schedule
policy (backoff, Retry-After, jitter) and the fetch-latency histogram. Modules: ``daemon``,
``claim_loop``, ``pipeline``, ``steps``, ``prepare`` (the parse workers' per-item work),
``commit_queue`` (SQLite group commit), ``story_cache``, ``schedule``, ``latency``, ``ingest``.
"""
