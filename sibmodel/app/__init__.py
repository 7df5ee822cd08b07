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

    In a pre-heated Voilà kernel (``preheat_kernel``) the imports run and the app is built with the notebook's
    language and the first template before any page is requested; the kernel then waits for the request. A page
    asking for that template with no changed inputs (``?lang=en`` included) gets the built app at once; any
    other query builds anew, and the waiting app's widgets are closed.
    """
    from . import widgets  # pandas, pydantic, ipywidgets: the bulk of a page's start-up time

    if query is None and os.environ.get("VOILA_PREHEAT") == "True":
        from ipywidgets.widgets.widget import _instances

        from .request import wait_for_request

        before = set(_instances)
        ready = widgets.App(lang, "")
        wait_for_request()
        query = os.environ.get("QUERY_STRING", "")
        if ready.take(query):
            return widgets.show(lang, query, app=ready)
        for key in set(_instances) - before:
            _instances[key].close()
    return widgets.show(lang, query)


def __getattr__(name: str) -> Any:
    if name == "App":
        from .widgets import App

        return App
    raise AttributeError(name)
