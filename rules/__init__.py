"""Compliance engine: draft text in, findings out. Pure: no network, no database, no clock."""
