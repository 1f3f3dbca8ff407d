"""Writes of the booklet: the workflow of each document, one module per subject.

- ``sheets``: the liaison sheet (opening, draft, submission, countersignature, review, return, correction);
- ``visits``: the company visits (planning, the report, its acknowledgement, the actions that follow);
- ``missions``: the mission description (draft, submission, the head's decision, correction);
- ``evaluations``: the evaluation grid (opening, ratings, the sharing of the grid).

Each transition runs in one transaction, locks its row, checks the document's state (``Refusal``) and
the person's right (``PermissionDenied``), saves with ``update_fields``, writes an audit event and queues
its mails on commit (``core.queue``). Reads are in ``livret.selectors``.
"""
