"""Static assets of the map: Leaflet (inlined or from a CDN), our CSS and marker shapes.

DESIGN section 6 asks for one self-contained file: Leaflet and markercluster are read at
run time from the `xstatic-leaflet` and `xstatic-leaflet-markercluster` packages
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

MAP_CSS = """
.leaflet-container { background: #dfe6ec; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
.estate-site { background: none; border: none; }
.estate-cluster { background: none; }
.estate-cluster-ring { position: absolute; inset: 0; border-radius: 50%; box-shadow: 0 0 0 1px #1a1a1a; }
.estate-cluster-count { position: absolute; inset: 6px; border-radius: 50%; background: #fff;
  color: #1a1a1a; font-weight: 700; font-size: 11px; display: flex; align-items: center;
  justify-content: center; box-shadow: 0 0 0 1px #1a1a1a; }
.estate-panel { background: rgba(255,255,255,0.95); padding: 8px 10px; border-radius: 6px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.35); max-width: 340px; color: #1a1a1a; font-size: 12px; }
.estate-panel summary { font-weight: 600; cursor: pointer; }
.estate-legend-grid { display: grid; grid-template-columns: auto auto; gap: 0 16px; }
.estate-panel h3:first-child { margin-top: 0; }
.estate-panel h2 { font-size: 15px; margin: 0 0 2px; overflow-wrap: anywhere; }
.estate-panel h3 { font-size: 12px; margin: 8px 0 2px; text-transform: uppercase; letter-spacing: .04em; color: #555; }
.estate-panel .estate-status { color: #555; font-size: 12px; margin-bottom: 6px; }
.estate-kpis { display: grid; grid-template-columns: auto auto; gap: 1px 12px; margin: 0; font-size: 13px; }
.estate-kpis dd { white-space: nowrap; }
.estate-kpis dt { color: #444; }
.estate-kpis dd { margin: 0; font-weight: 600; text-align: right; font-variant-numeric: tabular-nums; }
.estate-kpis dd.estate-big { font-size: 16px; color: #005a8c; }
.estate-warn { color: #8a3b00; font-size: 12px; margin-top: 6px; overflow-wrap: anywhere; }
.estate-legend-row { display: flex; align-items: center; gap: 8px; margin: 2px 0; }
.estate-legend-row .estate-key { width: 26px; display: flex; justify-content: center; align-items: center; }
.estate-dot { display: inline-block; width: 11px; height: 11px; border-radius: 50%; border: 1px solid #333; }
.estate-line { display: inline-block; width: 24px; background: #3a3a3a; opacity: .75; }
.estate-popup { max-width: 320px; font-size: 12.5px; line-height: 1.35; }
.estate-popup h4 { margin: 0 0 4px; font-size: 14px; overflow-wrap: anywhere; }
.estate-popup table { border-collapse: collapse; }
.estate-popup th { text-align: left; font-weight: normal; color: #555; padding: 1px 8px 1px 0; vertical-align: top; white-space: nowrap; }
.estate-popup td { padding: 1px 0; overflow-wrap: anywhere; }
.estate-popup ul { margin: 0; padding-left: 16px; }
.estate-muted { color: #777; }
.leaflet-control-layers-overlays label { overflow-wrap: anywhere; max-width: 260px; }
.leaflet-control-layers { max-height: calc(100vh - 40px); overflow-y: auto; font-size: 12px; }
.estate-layer-head { font-weight: 600; margin-top: 4px; }
"""


@cache
def _file(package_dir: str, name: str) -> str:
    return (Path(package_dir) / name).read_text(encoding="utf-8")


def _inline_script(code: str) -> str:
    """A `<script>` block; strips source-map comments (they name files we do not ship).

    `</script` inside the code would end the block early; Leaflet has none, but a later
    version might, so it is split in a way that keeps strings and regexes meaning the same.
    """
    code = re.sub(r"^//# sourceMappingURL=.*$", "", code, flags=re.MULTILINE)
    code = re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)
    return f"<script>{code}</script>"


def _inline_css(css: str, images: Path | None = None) -> str:
    """A `<style>` block with every `url(images/...)` replaced by a data: URI."""

    def data_uri(match: re.Match[str]) -> str:
        name = match.group(1)
        if images is None or not (images / name).exists():
            return "none"
        payload = base64.b64encode((images / name).read_bytes()).decode("ascii")
        return f'url("data:image/png;base64,{payload}")'

    css = re.sub(r"url\(\s*['\"]?images/([\w.-]+)['\"]?\s*\)", data_uri, css)
    css = css.replace("</", "<\\/")
    return f"<style>{css}</style>"


def leaflet_assets(cdn: bool, cluster: bool) -> str:
    """HTML for the `<head>`: Leaflet (+ markercluster when `cluster`) and our CSS.

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
    parts.append(f"<style>{MAP_CSS}</style>")
    return "\n".join(parts)
