"""Read an admin page's form as the browser renders and sends it, in the test
client or over HTTP (``AdminSession``, also used by make bench).

Only what the HTML holds counts: a field the form class has but the page
never renders is not sent, exactly as with a real browser.
"""

import csv
import http.cookiejar
import io
import re
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import urllib3
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse


def admin_url(model, action, *args):
    """The URL of ``model``'s admin page ``action`` (changelist, add, change, ...)."""
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=args)


def csv_file(rows, name="figures.csv"):
    """An uploaded CSV file of ``rows``, as a browser sends it."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields = []  # (name, value) pairs, in page order
        self._select = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = self.form_id is None or attrs.get("id") == self.form_id
            return
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = (name, "multiple" in attrs, [])
        elif tag == "option" and self._select is not None:
            self._option = (attrs.get("value"), "selected" in attrs, [])
        elif tag == "textarea" and name:
            self._textarea = (name, [])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option is not None:
            self._option[2].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._textarea[1])
            # The HTML parser drops nothing; browsers drop one leading newline.
            self.fields.append((self._textarea[0], text.removeprefix("\n")))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value, selected, text = self._option
            self._select[2].append((value if value is not None else "".join(text), selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            name, multiple, options = self._select
            chosen = [value for value, selected in options if selected]
            if not chosen and not multiple and options:
                chosen = [options[0][0]]  # a browser sends the first option
            self.fields.extend((name, value) for value in chosen)
            self._select = None


class _FormsReader(_FormReader):
    """Every form of a page: its fields and the name and value of its buttons."""

    def __init__(self):
        super().__init__(None)
        self.forms = []  # (fields, buttons)

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            self.forms.append(([], []))
            self.fields = self.forms[-1][0]
        named = dict(attrs)
        if tag == "button" and self.inside and named.get("name"):
            self.forms[-1][1].append((named["name"], named.get("value", "")))
        super().handle_starttag(tag, attrs)


def rendered_forms(response, step, name="step"):
    """What a browser sends from the page's form that has the button (or hidden
    field) ``name``=``step``, pressing that button: a dict."""
    reader = _FormsReader()
    reader.feed(response.content.decode())
    for fields, buttons in reader.forms:
        if (name, step) in fields or (name, step) in buttons:
            return dict([*fields, (name, step)])
    raise AssertionError(f"the page has no form with {name}={step}")


def rendered_form(response, form_id=None):
    """The POST data a browser would send from the page's form ``form_id``
    (the first form with that id; any form when None), as a dict of lists."""
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    data = {}
    for name, value in reader.fields:
        data.setdefault(name, []).append(value)
    return data


def admin_post_data(response):
    """The admin change form (``<model>_form``) as the browser would send it."""
    model_name = response.context["opts"].model_name
    data = rendered_form(response, f"{model_name}_form")
    return {name: values if len(values) > 1 else values[0] for name, values in data.items()}


def form_fields(page, form_id="auto"):
    """The fields (name, value) that the form ``form_id`` of the HTML ``page`` sends
    ("auto": the admin change form; None: every form's)."""
    if form_id == "auto":
        form_id = re.search(r'<form [^>]*id="(\w+_form)"', page)[1]
    reader = _FormReader(form_id)
    reader.feed(page)
    return reader.fields


class AdminSession:
    """An editor logged in to the admin over HTTP, as a browser holds the session:
    reads a page's form as rendered and posts it back (tests and make bench)."""

    def __init__(self, base, username, password):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        cookies = urllib.request.HTTPCookieProcessor(self.jar)
        self.opener = urllib.request.build_opener(cookies)
        self.poster = urllib.request.build_opener(cookies, _NoRedirect())
        fields = dict(self.form("/admin/login/", form_id=None))
        fields.update(username=username, password=password)
        status, _ = self.post("/admin/login/", list(fields.items()))
        if status != 302:
            raise RuntimeError(f"{username} could not log in to the admin")

    def get(self, path):
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path, fields, files=()):
        """(status, body) of posting ``fields`` (pairs) to ``path``, with ``files``
        (name, filename, bytes) as a browser uploads them; a redirect is not
        followed, and its body is where it points."""
        headers = {"Referer": self.base + path}
        if files:
            parts = [*fields, *((name, (filename, data)) for name, filename, data in files)]
            data, headers["Content-Type"] = urllib3.encode_multipart_formdata(parts)
        else:
            data = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            with self.poster.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                if error.code in (301, 302, 303):
                    return error.code, error.headers["Location"]
                return error.code, error.read().decode()

    def form(self, path, form_id="auto"):
        """The fields (name, value) the page's form sends: the change form's by default."""
        return form_fields(self.get(path), form_id)

    def change_paths(self, model, query=""):
        """The change pages that the list of ``model`` ("app/model") links."""
        listing = self.get(f"/admin/{model}/{query}")
        return sorted(set(re.findall(rf'href="(/admin/{model}/\d+/change/)', listing)))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
