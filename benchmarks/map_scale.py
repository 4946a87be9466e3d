"""Scale check for the map (issue 3): 5,000 sites and 30,000 zones.

Target: the self-contained HTML file is under 25 MB and loads in headless Chromium in
under 5 s with every network request refused. Writes a results folder with the test
fixture generator, renders it, and prints the figures.

    .venv/bin/python -m benchmarks.map_scale [--sites 5000] [--zones 30000] [--keep DIR]

Load time is from navigation start to the first painted frame after the page's `load`
event and the first site markers (or clusters) being in the DOM.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from estate.maps.page import render_map
from tests.fixtures.results import write_results

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]


def load_seconds(path: Path, repeats: int = 3) -> tuple[float, list[str]]:
    """Best of `repeats` load times in headless Chromium, and any page errors seen."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    times: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for _ in range(repeats):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith(("file:", "data:", "blob:"))
                       else (errors.append("network: " + route.request.url), route.abort()))
            start = time.perf_counter()
            page.goto(path.as_uri(), wait_until="load", timeout=60_000)
            page.wait_for_function(
                "document.querySelectorAll('.leaflet-marker-pane > *').length > 0",
                timeout=60_000)
            page.evaluate("new Promise(r => requestAnimationFrame(() => r()))")
            times.append(time.perf_counter() - start)
            page.close()
        browser.close()
    return min(times), errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=5000)
    parser.add_argument("--zones", type=int, default=30000)
    parser.add_argument("--keep", type=Path, help="write the folder and map here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        where = args.keep or Path(scratch)
        start = time.perf_counter()
        folder = write_results(where / "results", n_sites=args.sites, n_zones=args.zones,
                               n_agencies=8)
        made = time.perf_counter() - start
        start = time.perf_counter()
        out = render_map(folder, where / "map_scale.html")
        rendered = time.perf_counter() - start
        size_mb = out.stat().st_size / 1e6
        seconds, errors = load_seconds(out)
        print(f"sites {args.sites:,}, zones {args.zones:,}")
        print(f"fixture written in {made:.1f} s, map rendered in {rendered:.1f} s")
        print(f"file size {size_mb:.1f} MB (target < 25 MB)")
        print(f"load time {seconds:.2f} s best of 3 (target < 5 s)")
        print(f"page errors: {errors or 'none'}")
        ok = size_mb < 25 and seconds < 5 and not errors
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
