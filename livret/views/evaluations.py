"""TEMPORARY: replaced by the helper building this subject."""

from django.http import Http404


def contract_evaluations(request, *args, **kwargs):
    raise Http404


def evaluation_detail(request, *args, **kwargs):
    raise Http404


def evaluation_link(request, *args, **kwargs):
    raise Http404


def evaluation_open(request, *args, **kwargs):
    raise Http404


def evaluation_save(request, *args, **kwargs):
    raise Http404


def grid_sharing(request, *args, **kwargs):
    raise Http404
