"""TEMPORARY: replaced by the helper building this subject."""

from django.http import Http404


def mission_correct(request, *args, **kwargs):
    raise Http404


def mission_create(request, *args, **kwargs):
    raise Http404


def mission_detail(request, *args, **kwargs):
    raise Http404


def mission_list(request, *args, **kwargs):
    raise Http404


def mission_return(request, *args, **kwargs):
    raise Http404


def mission_save(request, *args, **kwargs):
    raise Http404


def mission_validate(request, *args, **kwargs):
    raise Http404
