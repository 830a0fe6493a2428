"""Pure computational engines: rules, matching, ranking.

Nothing under this package imports Django (``tests/test_engines_are_pure.py`` proves it).
Engines take plain Python values and numpy arrays and return plain results; the Django
apps feed them through each app's ``fetch.py`` and persist what they return.
"""
