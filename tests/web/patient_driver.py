"""Drive the patient interview over HTTP the way a browser would.

The driver reads each screen's HTML form (stdlib HTMLParser), answers the questions it
shows from a set of intake answers ("Ved ikke" for a question the answers lack, as a
patient who does not know), posts it, and follows the redirects through the warning
pages to the check page.  Answers the interview never asked for are reported, not
forced in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

DURATION_UNIT_SUFFIX = "__unit"


@dataclass
class Control:
    tag: str
    type: str
    name: str
    value: str
    id: str
    checked: bool


@dataclass
class Form:
    action: str
    method: str
    controls: list[Control] = field(default_factory=list)

    def names(self) -> set[str]:
        return {c.name for c in self.controls if c.name}

    def hidden(self, name: str) -> str:
        for control in self.controls:
            if control.type == "hidden" and control.name == name:
                return control.value
        raise KeyError(name)

    def options(self, name: str) -> list[str]:
        return [
            c.value for c in self.controls if c.name == name and c.type in ("radio", "checkbox")
        ]


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.links: list[tuple[str, str]] = []
        self._textarea: Control | None = None
        self._link: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif tag in ("input", "textarea", "select") and self.forms:
            control = Control(
                tag,
                a.get("type", "text" if tag == "input" else tag),
                a.get("name", ""),
                a.get("value", ""),
                a.get("id", ""),
                "checked" in a,
            )
            self.forms[-1].controls.append(control)
            if tag == "textarea":
                self._textarea = control
        elif tag == "a" and "href" in a:
            self._link = [a["href"], ""]

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        if self._link is not None:
            self._link[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None


def parse(html: str) -> _FormParser:
    parser = _FormParser()
    parser.feed(html)
    return parser


def form_at(html: str, action: str) -> Form:
    forms = [f for f in parse(html).forms if f.action == action]
    assert len(forms) == 1, f"one form posting to {action}"
    return forms[0]


def current_values(form: Form) -> dict[str, Any]:
    """What the browser sends for a form as it is shown (nothing changed)."""
    data: dict[str, Any] = {}
    for c in form.controls:
        if not c.name or c.type in ("submit", "button"):
            continue
        if c.type in ("checkbox", "radio"):
            if c.checked:
                if c.type == "checkbox":
                    data.setdefault(c.name, []).append(c.value)
                else:
                    data[c.name] = c.value
        else:
            data[c.name] = c.value
    return data


def own_words(client, text: str = "") -> object:
    """Send the own-words text box (empty: skip it); the response, not followed."""
    form = form_at(client.get("/egne-ord").text, "/egne-ord")
    data = {**current_values(form), "free_text": text}
    return client.post("/egne-ord", data=data, follow_redirects=False)


def question_form(html: str) -> Form:
    forms = [f for f in parse(html).forms if f.action.startswith("/spoergsmaal/")]
    assert len(forms) == 1, "a question page has exactly one question form"
    return forms[0]


def fill(form: Form, answers: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """Form data giving ``answers`` through the screen's controls; and the keys used.

    A question the answers lack gets "Ved ikke" where the control offers it, else stays
    empty.
    """
    data: dict[str, Any] = {}
    for c in form.controls:
        if not c.name:
            continue
        if c.type == "checkbox":
            if c.checked:
                data.setdefault(c.name, []).append(c.value)
        elif c.type == "radio":
            if c.checked:
                data[c.name] = c.value
        elif c.type not in ("submit", "button"):
            data[c.name] = c.value
    used: set[str] = set()
    names = form.names()
    for key in form.hidden("shown").split(","):
        assert key in names, (key, "shown but without a control")
        if key not in answers:
            if "unknown" in form.options(key):
                data[key] = "unknown"
            continue
        value = answers[key]
        used.add(key)
        options = form.options(key)
        if isinstance(value, bool):
            want = "yes" if value else "no"
            assert want in options, (key, options)
            data[key] = want
        elif isinstance(value, list):
            assert set(value) <= set(options), (key, set(value) - set(options))
            data[key] = list(value)
        elif key + DURATION_UNIT_SUFFIX in names:
            # Always in days: the form must convert whatever unit the person picks.
            data[key] = str(value)
            data[key + DURATION_UNIT_SUFFIX] = "days"
        elif options:
            assert str(value) in options, (key, value, options)
            data[key] = str(value)
        else:
            data[key] = str(value)
    return data, used


@dataclass
class Run:
    visited: list[str]  # paths in the order they were shown
    screens: list[list[str]]  # question keys of each screen answered, in order
    used: set[str]  # answer keys the flow asked for and got
    final_html: str

    @property
    def asked(self) -> list[str]:
        return [key for keys in self.screens for key in keys]


def _local(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + ("?" + parts.query if parts.query else "")


def run_questionnaire(
    client, answers: dict[str, Any], max_steps: int = 80, text: str = "", confirm=None
) -> Run:
    """Answer the interview from "Start nu" to the check page.

    The own-words box gets ``text`` (empty: skipped); its confirm page is sent as shown,
    after ``confirm(form_data)`` may change it.
    """
    client.get("/")  # the start page sets the cookie that "Start nu" looks for
    path = _local(client.get("/begynd", follow_redirects=False).headers["location"])
    visited: list[str] = []
    screens: list[list[str]] = []
    used: set[str] = set()
    for _ in range(max_steps):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        visited.append(path)
        if path == "/tjek":
            return Run(visited, screens, used, response.text)
        if path in ("/akut", "/samme-dag"):
            links = dict((label, href) for href, label in parse(response.text).links)
            path = links.get("Fortsæt med spørgsmålene") or links["Se dine svar"]
            continue
        if path in ("/egne-ord", "/egne-ord/bekraeft"):
            form = form_at(response.text, path)
            data = current_values(form)
            if path == "/egne-ord":
                data["free_text"] = text
            elif confirm is not None:
                confirm(data)
            posted = client.post(path, data=data, follow_redirects=False)
            assert posted.status_code == 303, (path, posted.status_code, _errors(posted.text))
            path = _local(posted.headers["location"])
            continue
        form = question_form(response.text)
        data, keys = fill(form, answers)
        used |= keys
        screens.append(form.hidden("shown").split(","))
        posted = client.post(form.action, data=data, follow_redirects=False)
        assert posted.status_code == 303, (path, posted.status_code, _errors(posted.text))
        path = _local(posted.headers["location"])
    raise AssertionError(f"no check page after {max_steps} steps: {visited}")


def _errors(html: str) -> list[str]:
    return re.findall(r'<p class="error-message"[^>]*>(.*?)</p>', html, re.S)
