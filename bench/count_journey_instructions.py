"""Instructions per respondent journey, product against floor, counted by valgrind's callgrind.

    .venv/bin/python bench/count_journey_instructions.py                 # 20 journeys each, SQLite
    .venv/bin/python bench/count_journey_instructions.py --journeys 40 --targets product

CPU seconds on a shared VM move by 10-40% from one run to the next (bench_journey.py's floor moved that
much between runs), so a change worth 1-3% cannot be seen in them. Instructions can: callgrind counts the
instructions the process executes, the same to within about 0.2% from run to run whatever else the
machine is doing. Each target runs in its own process under `valgrind --tool=callgrind` with collection
off; the apps are built and warmed as bench/profile_journey.py builds them (production settings, a
temporary SQLite file, through the WSGI test client, so the client's own work is counted too), then
collection is switched on (`callgrind_control -i on`) for the measured journeys only. `PYTHONHASHSEED=0`
keeps dict and set layouts the same between runs. User-space instructions only: the kernel's work
(system calls, SQLite's file writes) is not in it, nor is any wait. Needs Debian's valgrind.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))


def child(target: str, journeys: int) -> None:
    import profile_journey
    from bench_journey import Browser, journey, wsgi_transport

    app, key = profile_journey.build(target, tempfile.mkdtemp(prefix="count-journey-"))
    profile_journey.warm(app, key)
    transport = wsgi_transport(app)
    control = shutil.which("callgrind_control") or "callgrind_control"
    subprocess.run([control, "-i", "on", str(os.getpid())], check=True, capture_output=True)
    for n in range(journeys):
        journey(Browser(transport), key, f"counted-{n}")
    subprocess.run([control, "-i", "off", str(os.getpid())], check=True, capture_output=True)


def count(target: str, journeys: int) -> int:
    """Instructions executed during `journeys` journeys of `target`, in a process of its own under callgrind."""
    with tempfile.TemporaryDirectory(prefix="callgrind-") as folder:
        result = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={folder}/callgrind.out.%p",
                sys.executable,
                __file__,
                "--child",
                target,
                "--journeys",
                str(journeys),
            ],
            env={**os.environ, "PYTHONHASHSEED": "0"},
            capture_output=True,
            text=True,
        )
    found = re.search(r"Collected\s*:\s*(\d+)", result.stderr)
    if result.returncode != 0 or found is None:
        raise RuntimeError(f"callgrind run of {target} failed:\n{result.stderr[-3000:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=20)
    parser.add_argument("--targets", nargs="+", choices=["floor", "product"], default=["floor", "product"])
    parser.add_argument("--child", choices=["floor", "product"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.journeys)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    per_journey = {}
    for target in args.targets:
        per_journey[target] = count(target, args.journeys) / args.journeys
        print(f"{target:<8} {per_journey[target] / 1e6:8.2f} M instructions per journey ({args.journeys} journeys)")
    if len(per_journey) == 2:
        print(f"ratio product/floor: {per_journey['product'] / per_journey['floor']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
