"""Tune a rubric with evidence: lint it, compare two versions over a folder of
reports, suggest terms it misses, and calibrate its points against reviewers' scores.

Everything here reads the rubric as data; nothing names a dimension or a term.
"""
