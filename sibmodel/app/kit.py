"""Making widgets cheaply: shared layout and style models, CSS classes, message HTML.

Every ipywidgets control brings its own ``Layout`` and style model unless it is given one; each model is a comm
(kernel time, websocket traffic, a model in the browser). A :class:`Kit` hands out one ``Layout`` per distinct
set of settings and one style per widget kind and settings, so a page of 30 inputs shares a dozen of them.
Shared layouts must never be changed after they are handed out.
"""
from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as w
from ipywidgets.widgets.widget_bool import CheckboxStyle
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle


class Kit:
    """Shared ``Layout`` and style models for one app (one browser session)."""

    def __init__(self) -> None:
        self._layouts: dict[tuple, w.Layout] = {}
        self._styles: dict[tuple, w.Widget] = {}

    def layout(self, **kw: str) -> w.Layout:
        key = tuple(sorted(kw.items()))
        if key not in self._layouts:
            self._layouts[key] = w.Layout(**kw)
        return self._layouts[key]

    def style(self, cls: type, **kw: Any) -> w.Widget:
        key = (cls.__name__, *sorted(kw.items()))
        if key not in self._styles:
            self._styles[key] = cls(**kw)
        return self._styles[key]

    def html(self, value: str = "", *classes: str, **layout: str) -> w.HTML:
        return css(w.HTML(value, layout=self.layout(**layout), style=self.style(HTMLStyle)), *classes)

    def box(self, kind: type, children: list[w.Widget], *classes: str, **layout: str) -> w.Box:
        return css(kind(children, layout=self.layout(**layout)), *classes)

    def button(self, icon: str, *classes: str, **layout: str) -> w.Button:
        return css(w.Button(icon=icon, layout=self.layout(**layout), style=self.style(w.ButtonStyle)), *classes)

    def text(self, *classes: str, description_width: str = "", **layout: str) -> w.Text:
        style = self.style(TextStyle, description_width=description_width) if description_width else self.style(TextStyle)
        return css(w.Text(layout=self.layout(**layout), style=style, continuous_update=False), *classes)

    def dropdown(self, *classes: str, description_width: str = "", **layout: str) -> w.Dropdown:
        style = self.style(DescriptionStyle, description_width=description_width) if description_width else self.style(DescriptionStyle)
        return css(w.Dropdown(layout=self.layout(**layout), style=style), *classes)


def css(widget: w.Widget, *classes: str) -> w.Widget:
    for c in classes:
        widget.add_class(c)
    return widget


def error_html(text: str) -> str:
    """A message beside an input: red, with a warning sign; long text wraps inside its box."""
    return (f'<span class="sib-error" role="alert" style="color:#b00020;overflow-wrap:anywhere">'
            f'⚠ {escape(text)}</span>')


def echo_html(text: str) -> str:
    """How an input was read (``150.000 kr.``, ``60 %``), shown beside it."""
    return f'<span class="sib-echo" style="color:#333">{escape(text)}</span>'


__all__ = ["CheckboxStyle", "DescriptionStyle", "HTMLStyle", "Kit", "TextStyle", "css", "echo_html", "error_html"]
