"""Static assets of the map: Leaflet (inlined or from a CDN) and the marker shapes.

A map is one self-contained file: Leaflet and markercluster are read at run time from the `xstatic-leaflet` and `xstatic-leaflet-markercluster` packages
(installed from PyPI, never copied into the repository) and written inline; the images
Leaflet's CSS refers to become `data:` URIs. folium's own default assets (jQuery,
Bootstrap, Font Awesome, awesome-markers) are not used at all: markers are our own
SVG shapes, so the page needs nothing but Leaflet.
"""

from __future__ import annotations

import base64
import math
import re
from functools import cache
from pathlib import Path

import xstatic.pkg.leaflet as xleaflet
import xstatic.pkg.leaflet_markercluster as xcluster

from estate.render.html import script_block, style_block

LEAFLET_CDN = f"https://cdn.jsdelivr.net/npm/leaflet@{xleaflet.VERSION}/dist"
CLUSTER_CDN = f"https://cdn.jsdelivr.net/npm/leaflet.markercluster@{xcluster.VERSION}/dist"

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies; every
# decision also has its own shape, so colour is never the only cue.
COLOURS = {
    "keep": "#0072B2",
    "close": "#D55E00",
    "open": "#009E73",
    "shared": "#CC79A7",
    "before": "#6b6b6b",
    "lost": "#E69F00",
    "covered": "#56B4E9",
    "gained": "#009E73",
    "uncovered": "#999999",
    "move": "#3a3a3a",
}


def _star(cx: float, cy: float, outer: float, inner: float) -> str:
    points = []
    for k in range(10):
        r = outer if k % 2 == 0 else inner
        a = math.pi / 2 + k * math.pi / 5
        points.append(f"{cx + r * math.cos(a):.1f},{cy - r * math.sin(a):.1f}")
    return " ".join(points)


_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="{s}" height="{s}" viewBox="0 0 20 20" aria-hidden="true">{body}</svg>'
_STROKE = 'stroke="#1a1a1a" stroke-width="1.3"'

SHAPES: dict[str, str] = {
    "keep": _SVG.format(s=18, body=f'<circle cx="10" cy="10" r="7.5" fill="{COLOURS["keep"]}" {_STROKE}/>'),
    "close": _SVG.format(s=18, body=(
        f'<rect x="3" y="3" width="14" height="14" fill="{COLOURS["close"]}" {_STROKE}/>'
        '<path d="M6.5 6.5L13.5 13.5M13.5 6.5L6.5 13.5" stroke="#fff" stroke-width="2.2"/>')),
    "open": _SVG.format(s=20, body=f'<polygon points="10,1.8 18.6,17.6 1.4,17.6" fill="{COLOURS["open"]}" {_STROKE}/>'),
    "shared": _SVG.format(s=24, body=f'<polygon points="{_star(10, 10.6, 9.4, 4.1)}" fill="{COLOURS["shared"]}" {_STROKE}/>'),
    "before": _SVG.format(s=14, body=f'<circle cx="10" cy="10" r="6.5" fill="#fff" stroke="{COLOURS["before"]}" stroke-width="3"/>'),
    "not_built": _SVG.format(s=14, body='<circle cx="10" cy="10" r="6" fill="none" stroke="#999" stroke-width="2" stroke-dasharray="3 2"/>'),
}
SHAPE_SIZES = {"keep": 18, "close": 18, "open": 20, "shared": 24, "before": 14, "not_built": 14}



@cache
def _file(package_dir: str, name: str) -> str:
    return (Path(package_dir) / name).read_text(encoding="utf-8")


def _inline_script(code: str) -> str:
    """A `<script>` block; strips source-map comments (they name files we do not ship)."""
    return script_block(re.sub(r"^//# sourceMappingURL=.*$", "", code, flags=re.MULTILINE))


def _inline_css(css: str, images: Path | None = None) -> str:
    """A `<style>` block with every `url(images/...)` replaced by a data: URI."""

    def data_uri(match: re.Match[str]) -> str:
        name = match.group(1)
        if images is None or not (images / name).exists():
            return "none"
        payload = base64.b64encode((images / name).read_bytes()).decode("ascii")
        return f'url("data:image/png;base64,{payload}")'

    return style_block(re.sub(r"url\(\s*['\"]?images/([\w.-]+)['\"]?\s*\)", data_uri, css))


def leaflet_assets(cdn: bool, cluster: bool) -> str:
    """HTML for the `<head>`: Leaflet (+ markercluster when `cluster`).

    Inline by default; with `cdn=True`, links to jsDelivr at the exact versions the
    xstatic packages hold, so both variants draw the same map.
    """
    parts: list[str] = []
    if cdn:
        parts.append(f'<link rel="stylesheet" href="{LEAFLET_CDN}/leaflet.css"/>')
        parts.append(f'<script src="{LEAFLET_CDN}/leaflet.js"></script>')
        if cluster:
            parts.append(f'<link rel="stylesheet" href="{CLUSTER_CDN}/MarkerCluster.css"/>')
            parts.append(f'<link rel="stylesheet" href="{CLUSTER_CDN}/MarkerCluster.Default.css"/>')
            parts.append(f'<script src="{CLUSTER_CDN}/leaflet.markercluster.js"></script>')
    else:
        base = xleaflet.BASE_DIR
        parts.append(_inline_css(_file(base, "leaflet.css"), Path(base) / "images"))
        parts.append(_inline_script(_file(base, "leaflet.js")))
        if cluster:
            cbase = xcluster.BASE_DIR
            parts.append(_inline_css(_file(cbase, "MarkerCluster.css")))
            parts.append(_inline_css(_file(cbase, "MarkerCluster.Default.css")))
            parts.append(_inline_script(_file(cbase, "leaflet.markercluster.js")))
    return "\n".join(parts)
