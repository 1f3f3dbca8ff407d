"""The demonstration data set that ``manage.py seed_demo`` loads: a CFA with its diplomas and
calendars (:mod:`demo.diplomas`), its people, companies and contracts (:mod:`demo.plan`), their booklet
in every state (:mod:`demo.booklet`) and the trajectoire qualité (:mod:`demo.trajectory`). It sits
on top of every app and goes through their services; no app imports it."""
