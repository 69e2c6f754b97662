"""The supervisor console: escalation queue, conversation review, closing the loop, reports."""
