"""How long the board pack takes on a demo plan: `estate report` as a user runs it, the
whole process (start-up, reading the results folder, the charts, the PDF).

    .venv/bin/python -m benchmarks.board_pack [models/shared_back_office.toml] [--repeat 5]

The scenario is planned once to 0.5% (the pack reads any plan the same way), into a
scratch folder beside copies of `data/` and `models/`; then the pack is made `--repeat`
times. Prints each time, the median and the PDF's size.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from estate.api import plan
from estate.load.scenario import read_scenario_dict, scenario_from_dict, set_dotted

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="models/shared_back_office.toml")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        for folder in ("data", "models"):
            shutil.copytree(ROOT / folder, work / folder)
        path = work / args.scenario
        raw = set_dotted(read_scenario_dict(path), "solver.mip_gap", 0.005)
        scenario = scenario_from_dict(raw, base_dir=path.parent, label=str(path),
                                      default_name=path.stem)
        plan(scenario, out=work / "results", map_path=False)
        seconds = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "estate", "report", "results",
                                   "--out", "board.pdf"], cwd=work, capture_output=True,
                                  text=True)
            seconds.append(time.perf_counter() - started)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
        size = (work / "board.pdf").stat().st_size
    print(f"{args.scenario}: estate report " + ", ".join(f"{s:.2f} s" for s in seconds))
    print(f"median {statistics.median(seconds):.2f} s; PDF {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
