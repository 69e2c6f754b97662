"""Complaint classifier: categories, sentiment and severity of a customer's text (spaCy + jieba)."""

from complaints.pipeline import Result, classify, load

__all__ = ["Result", "classify", "load"]
