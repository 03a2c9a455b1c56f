"""Closure intelligence: the notice and report detector, notices and claims, statuses, watermarks, evaluation."""
