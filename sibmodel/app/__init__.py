"""The Voilà app for municipal users (``notebooks/apps/app.ipynb`` calls :func:`show`).

Modules, one idea each: ``texts`` (Danish/English words; messages by problem code; formatting through
:mod:`sibmodel.i18n`), ``inputs`` (parsing untrusted values in the page's language through
:mod:`sibmodel.numbers`), ``state`` (case, last good result, problems; no widgets), ``charts`` (SVG charts),
``export`` (YAML and Excel downloads), ``kit`` (shared widget layouts and styles), ``uncertainty`` (the
Monte Carlo panel, made when its group is opened), ``widgets`` (the ipywidgets UI).
"""
from __future__ import annotations

import os
from typing import Any


def show(lang: str = "da", query: str | None = None) -> Any:
    """Build and display the app; ``query`` is a URL query string (default: Voilà's ``QUERY_STRING``).

    In a pre-heated Voilà kernel (``preheat_kernel``) the heavy imports run before any page is requested; the
    app then waits for the request, so that its URL parameters are read.
    """
    from . import widgets  # pandas, scipy, pydantic, ipywidgets: the bulk of a page's start-up time

    if query is None and os.environ.get("VOILA_PREHEAT") == "True":
        from voila.utils import wait_for_request

        wait_for_request()
    return widgets.show(lang, query)


def __getattr__(name: str) -> Any:
    if name == "App":
        from .widgets import App

        return App
    raise AttributeError(name)
