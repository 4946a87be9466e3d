"""HTML that carries register text: the escapes, our static files, and the page shell.

Text from a register is hostile until proven otherwise: a site may be named
`<img src=x onerror=alert(1)>` or `${alert(1)}`. `inert` is the one escape used wherever
such text becomes HTML, and `script_json` the one way data enters a script. Both also
replace the characters `estate.shown_text` calls hidden (control characters, the
direction overrides that would show `abc\u202etxt.exe` as `abcexe.txt`): a register
holding one is refused, but a results folder may have been edited by hand, and a
folder's own name is shown as it is.

Our own CSS and JavaScript are files under a package's `static/` folder (shipped as
package data, and linted as what they are by the tests), read with `static_text`.
`script_block` and `style_block` are the one place any code is inlined into a page, so
the one place where a `</script>` or `</style>` inside it is kept from ending the block.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from estate.shown_text import HIDDEN, shown
from estate.store.folder import write_file

_INERT = {
    ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;",
    ord("'"): "&#39;", ord("`"): "&#96;", ord("$"): "&#36;", ord("{"): "&#123;",
    ord("}"): "&#125;", ord("\\"): "&#92;", ord("\n"): "&#10;", ord("\r"): "&#13;",
    0x2028: "&#8232;", 0x2029: "&#8233;",
}

_END_TAG = {"script": re.compile(r"</(script)", re.IGNORECASE),
            "style": re.compile(r"</(style)", re.IGNORECASE)}

CSP = "default-src 'none'; style-src 'unsafe-inline'"
"""The reports' Content-Security-Policy: inline styles only, so a page can neither fetch
nor run anything, even if an escape were ever missed."""


def inert(text: object) -> str:
    """Text made harmless as HTML and inside any JavaScript string or template literal.

    Every character with a meaning in either language becomes a numeric or named HTML
    entity: `& < > " '` (HTML, and `</script>`), backtick, `$`, `{`, `}` (template
    literals and `${...}`), backslash (escapes), the line terminators CR, LF, U+2028 and
    U+2029 (which end a JavaScript string); a hidden character (NUL, ESC, a direction
    override) is replaced (`shown_text.shown`). What is left is plain characters, which
    the browser shows literally once it parses the HTML. None becomes "".
    """
    if text is None:
        return ""
    return shown(str(text)).translate(_INERT)


def isolated(text: object) -> str:
    """A register name (a site's, a team's, an agency's, a scenario's) as HTML to put
    inline with other text: inert (`inert`), in a `<bdi>` of its own. A name in Arabic or
    Hebrew, or ending in such text, then keeps its own direction and the text after it
    keeps the page's: in "<name> (12)" or "<name>: 20 FTE" the figures stay after it,
    where a browser would otherwise draw them on its left, as part of the name's run.
    """
    return f"<bdi>{inert(text)}</bdi>"


def isolated_text(text: object) -> str:
    """A register name as plain text where no element may go (a page's `<title>`, an
    attribute): between Unicode's isolate marks (U+2068, U+2069), which do in text what
    `<bdi>` does in HTML. Not inert: escape the whole text it joins."""
    return f"\u2068{text}\u2069"


MARKED_NAME = re.compile("\u2068([^\u2066-\u2069]*)\u2069")
"""A name between the isolate marks (`isolated_text`, `figures.named`), the name its group."""


def marked_names(markup: str) -> str:
    """HTML already inert, with each name the board pack's text marked
    (`estate.render.figures.named`: between U+2068 and U+2069) in a `<bdi>`, as
    `isolated` writes one: the text between the marks stays as it was escaped."""
    return MARKED_NAME.sub(r"<bdi>\1</bdi>", markup)


def script_json(value: Any) -> str:
    """JSON that can sit inside a `<script>` block as a JavaScript expression.

    `<`, `>` and `&` are written as \\u escapes so that no `</script>` or `<!--` can
    appear; U+2028/2029 likewise for older JavaScript engines. NaN is refused. Every
    text in it, keys too, has its hidden characters replaced (`shown_text.shown`), as the
    page puts them in with textContent, where a direction override would act.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if _MAY_HIDE.search(text):  # a C0 control is written \u001b, \b or \f; others as they are
        text = json.dumps(_all_shown(value), ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


_MAY_HIDE = re.compile(HIDDEN.pattern + r"|\\u00[01]|\\[bf]")
"""What a JSON text holding a hidden character shows of it (or, rarely, of a backslash
written before a `b`, which only costs `script_json` a second pass)."""


def _all_shown(value: Any) -> Any:
    """A JSON value with `shown` applied to every text in it, keys too."""
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, dict):
        return {shown(k) if isinstance(k, str) else k: _all_shown(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_all_shown(v) for v in value]
    return value


@cache
def static_text(package: str, name: str) -> str:
    """The file `static/<name>` of `package` (e.g. "estate.maps"), from wherever the
    package is installed: a source tree, an editable install or a wheel."""
    return (files(package) / "static" / name).read_text(encoding="utf-8")


def _closed_safely(code: str, tag: str) -> str:
    """`</script` (or `</style`) written `<\\/script`: the same inside a JavaScript string,
    regular expression or comment, or a CSS string, but no longer the end of the block."""
    return _END_TAG[tag].sub(lambda m: "<\\/" + m.group(1), code)


def script_block(code: str) -> str:
    """A `<script>` element holding `code` (ours or a library's)."""
    return f"<script>{_closed_safely(code, 'script')}</script>"


def style_block(css: str) -> str:
    """A `<style>` element holding `css`."""
    return f"<style>{_closed_safely(css, 'style')}</style>"


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>",
                            re.DOTALL | re.IGNORECASE)
_FETCHED = re.compile(r'<(?:script|link)\b[^>]*\b(?:src|href)="(https://[^/"]+)/',
                      re.IGNORECASE)


def _script_hash(body: str) -> str:
    """The CSP source that allows the inline script `body`: its SHA-256, as base64."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"


def map_policy(page: str) -> str:
    """A Content-Security-Policy for an interactive page (a map): its own inline scripts,
    each allowed by its SHA-256, and the hosts it loads scripts and styles from (the
    `--cdn` variant's); inline styles, as Leaflet sets them; images made in the page or
    from any web address (base tiles, an intranet's tile server on plain http too).
    Nothing else runs or is fetched, so a name that escaped its escaping still could not
    run, nor send the page anywhere."""
    hashes = sorted({_script_hash(body) for body in _INLINE_SCRIPT.findall(page)})
    hosts = sorted(set(_FETCHED.findall(page)))
    return "; ".join([
        "default-src 'none'",
        " ".join(["script-src", *hashes, *hosts]),
        " ".join(["style-src 'unsafe-inline'", *hosts]),
        "img-src data: blob: https: http:",
        " ".join(["font-src data:", *hosts]),
        "base-uri 'none'", "form-action 'none'",
    ])


def with_map_policy(page: str) -> str:
    """`page` with `map_policy` at the top of `<head>` (after its charset, which must
    come first), before any script."""
    at = re.search(r"<meta[^>]*charset[^>]*>", page, re.IGNORECASE) or \
        re.search(r"<head[^>]*>", page, re.IGNORECASE)
    if at is None:
        raise ValueError("a page without <head>")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{map_policy(page)}">'
    return page[:at.end()] + "\n" + meta + page[at.end():]


def document(title: str, body: str, css: str, mark: str = "", script: str = "") -> str:
    """A self-contained report page; `title` and `body` are inert already, `mark` a
    `<meta>` that says what wrote the page (`store.board_pack.HTML_MARK`). With no
    `script` the page runs nothing (`CSP`); with one (ours, a static file), that script
    runs at the end of the body, its Content-Security-Policy allowing it by its SHA-256
    and nothing else."""
    policy, block = CSP, ""
    if script:
        block = script_block(script)  # the hash is of the block's text as written
        policy = f"{CSP}; script-src {_script_hash(_closed_safely(script, 'script'))}"
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
            + (f"{mark}\n" if mark else "") +
            f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{title}</title>\n{style_block(css)}\n</head><body>\n{body}\n"
            + (f"{block}\n" if block else "") + "</body></html>\n")


def scroll_box(name: str, content: str) -> str:
    """`content` (a table or chart, our markup) in a box of its own that scrolls sideways
    when it is wider than the page (on a phone, or zoomed to 400%), so that the page
    itself never does (WCAG 1.4.10). A keyboard reaches the box (tabindex) to scroll it,
    and a screen reader hears it as a region named `name` (plain text, made inert here).
    Its style is the page's `.scroll` rule."""
    return (f'<div class="scroll" tabindex="0" role="region" aria-label="{inert(name)}">'
            f"{content}</div>")


def breakable(text: object) -> str:
    """`text` made inert, with a line break allowed (`<wbr>`) after each `.` and `_`
    inside it: a long key name (`relocation.cost_per_fte`) heading a narrow column may
    break there, at its parts, where otherwise it would break nowhere (or anywhere)."""
    return re.sub(r"([._])(?=.)", r"\1<wbr>", inert(text))


def write_page(path: Path, text: str) -> Path:
    """Write `text` beside `path` and rename it over `path`, so that a reader never sees
    half a page and a failed write leaves the previous page as it was."""
    return write_file(path, lambda temp: temp.write_text(text, encoding="utf-8"))
