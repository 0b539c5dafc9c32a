"""In-process CPU of one respondent journey, product against floor, per request and under cProfile.

    .venv/bin/python bench/profile_journey.py                       # 300 journeys each, SQLite
    .venv/bin/python bench/profile_journey.py --journeys 100 --profile /tmp/journey.prof   # the product only

Both apps are built as bench/bench_journey.py builds them (production settings, a temporary SQLite file)
and driven by its `journey()` through the WSGI test client (`wsgi_transport`), so no HTTP, no gunicorn,
no other process: `time.process_time()` around each request gives the server's Python CPU per request
(labelled by method and route shape), and the ratio of the journeys' totals is the in-process form of the
benchmark's "CPU per journey against the floor". A trivial route (404 of an unknown URL) is timed too:
the fixed cost of a request through each app's extensions. With `--profile` the product's journeys run
under cProfile and the top functions (cumulative and own time) are printed.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import bench_journey  # noqa: E402
from bench_journey import Browser, journey, wsgi_transport  # noqa: E402

SHAPES = [
    (re.compile(r"/p/[^/]+$"), "link"),
    (re.compile(r"/start$"), "start"),
    (re.compile(r"/page/"), "page"),
    (re.compile(r"/check$"), "check"),
    (re.compile(r"/submit$"), "submit"),
    (re.compile(r"/done$"), "done"),
]


def shape(method: str, path: str) -> str:
    for pattern, name in SHAPES:
        if pattern.search(path.split("?", 1)[0]):
            return f"{method} {name}"
    return f"{method} other"


def timed_transport(app, cpu: dict[str, list[float]]):
    inner = wsgi_transport(app)

    def transport(method, path, body, headers):
        started = time.process_time()
        result = inner(method, path, body, headers)
        cpu[shape(method, path)].append(time.process_time() - started)
        return result

    return transport


def build(target: str, folder: str):
    database_url = f"sqlite:///{folder}/{target}.db"
    if target == "product":
        instance = tempfile.mkdtemp(prefix="instance-", dir=folder)
        key = bench_journey.prepare_product(database_url, instance)
        from surveyapp import create_app

        app = create_app(bench_journey._app_config(database_url, instance))
    else:
        import floor_app

        floor_app.create_schema(database_url)
        key = floor_app.PUBLIC_KEY
        app = floor_app.create_floor_app(database_url)
    return app, key


def warm(app, key: str) -> None:
    for n in range(10):  # templates compiled, caches warm
        journey(Browser(wsgi_transport(app)), key, f"warm-{n}")


def measure(app, key: str, journeys: int, profiler: cProfile.Profile | None = None) -> dict:
    cpu: dict[str, list[float]] = defaultdict(list)
    transport = timed_transport(app, cpu)
    if profiler is not None:
        profiler.enable()
    started = time.process_time()
    for n in range(journeys):
        journey(Browser(transport), key, f"j-{n}")
    total = time.process_time() - started
    if profiler is not None:
        profiler.disable()
    client = app.test_client()
    trivial_started = time.process_time()
    for _ in range(500):
        client.get("/no-such-page-here")
    trivial = (time.process_time() - trivial_started) / 500
    return {"journey_ms": total / journeys * 1000, "cpu": cpu, "trivial_us": trivial * 1e6}


def merged(runs: list[dict], journeys: int) -> dict:
    cpu: dict[str, list[float]] = defaultdict(list)
    for run in runs:
        for label, values in run["cpu"].items():
            cpu[label].extend(values)
    return {
        "journey_ms": sum(r["journey_ms"] for r in runs) / len(runs),
        "best_ms": min(r["journey_ms"] for r in runs),  # the round least disturbed by other processes
        "per_request_us": {k: sum(v) / len(v) * 1e6 for k, v in cpu.items()},
        "trivial_us": sum(r["trivial_us"] for r in runs) / len(runs),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=300)
    parser.add_argument("--profile", help="write the product's cProfile here and print its top functions")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=10, help="floor and product alternate, this many times")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="profile-journey-")
    apps = {target: build(target, folder) for target in ("floor", "product")}
    for app, key in apps.values():
        warm(app, key)
    if args.profile:
        profiler = cProfile.Profile(time.process_time)  # CPU, not wall time: other processes load the machine
        measure(*apps["product"], args.journeys, profiler)
        profiler.dump_stats(args.profile)
        stats = pstats.Stats(profiler).strip_dirs()
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)
        return 0
    per_round = max(args.journeys // args.rounds, 1)
    runs: dict[str, list[dict]] = {"floor": [], "product": []}
    for _ in range(args.rounds):  # alternate, so that other processes' load falls on both alike
        for target, (app, key) in apps.items():
            runs[target].append(measure(app, key, per_round))
    results = {target: merged(r, per_round) for target, r in runs.items()}
    floor, product = results["floor"], results["product"]
    print(f"{'request':<14}{'floor µs':>12}{'product µs':>12}{'ratio':>8}")
    for label in product["per_request_us"]:
        f, p = floor["per_request_us"].get(label), product["per_request_us"][label]
        print(f"{label:<14}{f or 0:>12.0f}{p:>12.0f}{(p / f if f else 0):>8.2f}")
    print(f"{'trivial 404':<14}{floor['trivial_us']:>12.0f}{product['trivial_us']:>12.0f}")
    print(
        f"journey CPU: floor {floor['journey_ms']:.2f} ms, product {product['journey_ms']:.2f} ms, "
        f"ratio {product['journey_ms'] / floor['journey_ms']:.2f} ({args.journeys} journeys each)"
    )
    print(
        f"best of {args.rounds} rounds: floor {floor['best_ms']:.2f} ms, product {product['best_ms']:.2f} ms, "
        f"ratio {product['best_ms'] / floor['best_ms']:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
