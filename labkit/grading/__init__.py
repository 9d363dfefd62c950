"""Instructor tooling: release, sample submissions, autograde, feedback, export, report.

A thin layer over nbgrader's Python API (``nbgrader.apps.NbGraderAPI``); run it as ``labkit``.
"""
