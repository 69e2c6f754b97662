"""The scheduler process: intake API, dispatch of due callbacks, follow-ups, escalation watch."""
