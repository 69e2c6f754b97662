"""Huifang: the shared core — settings, database layer and the business rules every process uses."""
