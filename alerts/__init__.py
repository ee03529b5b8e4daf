"""Alert policy, incidents, the response-deadline clock and notifiers. Cores take ``now`` as a parameter."""
