"""Jinja2 templates with gettext, shared by every page."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

from nervetjek.web.i18n import translations


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("nervetjek.web", "templates"),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_null_translations(newstyle=True)
    return env


@cache
def templates() -> Jinja2Templates:
    return Jinja2Templates(env=environment())


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
):
    """Render a page in the request's language."""
    lang = getattr(request.state, "lang", "da")
    trans = translations(lang)
    ctx = {
        "lang": lang,
        "_": trans.gettext,
        "gettext": trans.gettext,
        "ngettext": trans.ngettext,
        **(context or {}),
    }
    return templates().TemplateResponse(
        request, name, ctx, status_code=status_code, headers=headers
    )
