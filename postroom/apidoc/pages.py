"""The HTML pages of an RPC API: an index of its methods, and one page per method with
its documentation, an editable example request and a button that calls it (as mox's
`GET /webapi/v0/<Method>` pages do, docs/webapi.md, Transport).

The call is a `fetch` POST of the form field `request` to the page's own URL; the browser
asks for the credentials on the 401 challenge. Methods that answer with bytes are
submitted as a plain form instead, so the browser shows or saves the bytes itself.
"""

from __future__ import annotations

import html
import json
import re
import typing
from datetime import datetime
from typing import Any

from postroom.apidoc.structs import class_doc, is_struct, nested_structs
from postroom.apidoc.table import ApiTable, MethodDoc
from postroom.wire import encode_response, example_value

_SCALARS: dict[Any, str] = {
    str: "string",
    int: "integer",
    bool: "boolean",
    datetime: "RFC 3339 time",
}

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 1rem auto;
  padding: 0 1rem; line-height: 1.4; }
code, textarea, pre { font-family: ui-monospace, monospace; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
td, th { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; vertical-align: top; }
textarea { width: 100%; box-sizing: border-box; }
#status { font-weight: bold; margin-left: 1rem; }
"""

_SCRIPT = """
const form = document.getElementById('call');
form.addEventListener('submit', async (event) => {
  if (form.dataset.bytes === 'true') {
    return;  // the browser shows or saves the bytes of a plain form POST
  }
  event.preventDefault();
  const status = document.getElementById('status');
  const output = document.getElementById('response');
  const request = form.elements.request.value;
  try {
    JSON.parse(request);
  } catch (error) {
    status.textContent = 'The request is not valid JSON: ' + error.message;
    return;
  }
  const body = new FormData();
  body.append('request', request);
  status.textContent = 'Calling…';
  try {
    const response = await fetch(form.action, {method: 'POST', body: body});
    const text = await response.text();
    status.textContent = response.status + ' ' + response.statusText;
    try {
      output.value = JSON.stringify(JSON.parse(text), null, '\\t');
    } catch (error) {
      output.value = text;
    }
  } catch (error) {
    status.textContent = 'The call failed: ' + error.message;
  }
});
"""


def index_page(api: ApiTable, *, spec_url: str) -> str:
    """The page at `base_path`: what the API is, and a link to each method's page."""
    items = "\n".join(
        f'<li><a href="{m.name}">{m.name}</a> — {_inline(m.summary)}</li>' for m in api.methods
    )
    body = (
        f"<h1>{html.escape(api.title)} - Postroom</h1>\n"
        f"<p>{_inline(api.summary)}</p>\n"
        "<p>Call a method with an HTTP POST to its URL, with the JSON request in form field "
        "<code>request</code>. Each method's page below documents it and can call it. The "
        f'OpenAPI document of every API is at <a href="{html.escape(spec_url)}">'
        f"{html.escape(spec_url)}</a>.</p>\n"
        f"<ul>\n{items}\n</ul>"
    )
    return _html(f"{api.title} - Postroom", body)


def method_page(api: ApiTable, method: MethodDoc) -> str:
    """The page at `base_path + method.name`."""
    url = api.base_path + method.name
    request = _pretty(example_value(method.request_type))
    roots = [method.request_type] + ([method.result_type] if method.result_type else [])
    nested = nested_structs(roots)
    parts = [
        f'<p><a href="{api.base_path}">{html.escape(api.title)}</a></p>',
        f"<h1>{method.name}</h1>",
        _doc_html(method.doc),
        f"<p><code>POST {html.escape(url)}</code></p>",
        f"<h2>Request: {method.request_type.__name__}</h2>",
        _fields(method.request_type),
    ]
    if method.result_type is not None:
        parts += [f"<h2>Result: {method.result_type.__name__}</h2>", _fields(method.result_type)]
        response = _pretty(example_value(method.result_type))
        response_note = "Example response; calling the method shows the real one here:"
    else:
        parts.append("<h2>Result</h2><p>The bytes themselves, not JSON.</p>")
        response = ""
        response_note = "This method answers with bytes, which the browser shows or saves."
    if nested:
        parts.append("<h2>Types</h2>")
        for struct in nested:
            doc = class_doc(struct).doc
            parts.append(f'<h3 id="{struct.__name__}">{struct.__name__}</h3>')
            parts += [f"<p>{_inline(doc)}</p>", _fields(struct)]
    bytes_flag = "true" if method.result_type is None else "false"
    parts += [
        "<h2>Try it</h2>",
        f'<form id="call" method="POST" action="{html.escape(url)}"'
        f' enctype="multipart/form-data" data-bytes="{bytes_flag}">',
        '<p><label for="request">Request (JSON):</label></p>',
        f'<textarea id="request" name="request" rows="{_rows(request)}" spellcheck="false">'
        f"{html.escape(request)}</textarea>",
        '<p><button type="submit" id="submit">Call</button><span id="status"></span></p>',
        "</form>",
        f"<p>{response_note}</p>",
        f'<textarea id="response" rows="{_rows(response)}" readonly spellcheck="false">'
        f"{html.escape(response)}</textarea>",
        f"<script>{_SCRIPT}</script>",
    ]
    return _html(f"{method.name} - {api.title} - Postroom", "\n".join(parts))


def _html(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="robots" content="noindex,nofollow">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )


def _pretty(value: Any) -> str:
    """Tab-indented JSON, as mox pre-fills its textareas."""
    return json.dumps(json.loads(encode_response(value)), indent="\t", ensure_ascii=False)


def _rows(text: str) -> int:
    return min(max(text.count("\n") + 2, 4), 40)


_CODE_SPAN = re.compile(r"`([^`]+)`")


def _inline(text: str) -> str:
    """Escaped text with Markdown code spans as <code>."""
    return _CODE_SPAN.sub(lambda m: f"<code>{m.group(1)}</code>", html.escape(text))


def _doc_html(doc: str) -> str:
    """A docstring's paragraphs and `- ` lists as HTML."""
    blocks = []
    for paragraph in doc.split("\n\n"):
        lines = paragraph.strip().splitlines()
        if lines and all(line.lstrip().startswith("- ") for line in lines if line[:1] != " "):
            items, current = [], ""
            for line in lines:
                if line.lstrip().startswith("- ") and not line.startswith("  "):
                    if current:
                        items.append(current)
                    current = line.lstrip()[2:]
                else:
                    current += " " + line.strip()
            items.append(current)
            blocks.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
        elif lines:
            blocks.append(f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>")
    return "\n".join(blocks)


def _type_html(hint: Any) -> str:
    if hint in _SCALARS:
        return _SCALARS[hint]
    if is_struct(hint):
        return f'<a href="#{hint.__name__}">{hint.__name__}</a>'
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is list:
        return f"array of {_type_html(args[0])}"
    if origin is tuple:
        return f"array of {len(args)} × {_type_html(args[0])}"
    if origin is dict:
        return f"object of string → {_type_html(args[1])}"
    inner = next(arg for arg in args if arg is not type(None))
    return f"{_type_html(inner)} or null"


def _fields(cls: type[Any]) -> str:
    doc = class_doc(cls)
    if not doc.attributes:
        return "<p>No fields: <code>{}</code>.</p>"
    hints = typing.get_type_hints(cls)
    rows = "\n".join(
        f"<tr><td><code>{name}</code></td><td>{_type_html(hints[name])}</td>"
        f"<td>{_inline(text)}</td></tr>"
        for name, text in doc.attributes.items()
    )
    return f"<table><tr><th>Field</th><th>Type</th><th>Description</th></tr>\n{rows}\n</table>"
