"""TEMPORARY: replaced by the helper building this subject."""

from django.http import Http404


def action_close(request, *args, **kwargs):
    raise Http404


def contract_visits(request, *args, **kwargs):
    raise Http404


def visit_acknowledge(request, *args, **kwargs):
    raise Http404


def visit_cancel(request, *args, **kwargs):
    raise Http404


def visit_detail(request, *args, **kwargs):
    raise Http404


def visit_link(request, *args, **kwargs):
    raise Http404


def visit_link_resend(request, *args, **kwargs):
    raise Http404


def visit_list(request, *args, **kwargs):
    raise Http404


def visit_log(request, *args, **kwargs):
    raise Http404


def visit_plan(request, *args, **kwargs):
    raise Http404
