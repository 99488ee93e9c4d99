"""The recipes a user runs: one staged shell script per corpus, and keyword-spotting training.

``recipes/<corpus>.sh`` runs a corpus from nothing to features in re-runnable stages (download,
prepare, validate, features), each stage one ``lite`` command; the preparation code itself is the
library's (:mod:`lhotse_lite.recipes`). ``python -m recipes.kws_matchboxnet`` trains and evaluates
MatchboxNet keyword spotting on prepared Speech Commands. Importing this package imports nothing.
"""
