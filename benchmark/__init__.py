"""``manage.py benchmark``: a synthetic CFA (:mod:`benchmark.cfa`, :mod:`benchmark.booklet`) on which
the daily pages, the indicators against their raw-SQL floors (:mod:`benchmark.floors`) and a compliance
PDF are measured, then rolled back. It sits on top of every app; no app imports it."""
