"""Aval's domain: entities, rules, permissions and use cases in plain Python.

Nothing here imports a framework, a database driver or another top-level package of
Aval; the outer layers depend on this one, never the other way round.
"""
