"""Benchmark a report back's PDF: a 10-section sheet over a survey of N responses (SQLite).

    python bench/bench_report_pdf.py                 # 100,000 responses
    python bench/bench_report_pdf.py --size 10000

The database is bench_dashboards.py's (generated once under /tmp and reused). The
sheet has ten sections: the response rate, the rate by area, six questions'
results and two cross-tabs, each with narrative, under the survey's disclosure
policy. Reported: the server time of GET /reports/<id>/pdf through the Flask test
client (figures, page and Chromium's print, median of --repeat), the same for the
print page alone, the PDF's size, and peak RSS of the server process and of
Chromium (its children). Figures go to docs/PERFORMANCE.md ("Report back PDF").
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_dashboards  # noqa: E402

SECTIONS = [
    ("response_rate", {}),
    ("rate_by_area", {"by": "area"}),
    ("question", {"question": "service"}),
    ("question", {"question": "contact"}),
    ("question", {"question": "respect"}),
    ("question", {"question": "score"}),
    ("question", {"question": "wait_days"}),
    ("question", {"question": "seen_on"}),
    ("crosstab", {"question": "service", "by": "area"}),
    ("crosstab", {"question": "recommend", "by": "area"}),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.makedirs("/tmp/surveyapp-bench", exist_ok=True)
    path = f"/tmp/surveyapp-bench/bench-{args.size}.db"  # shared with bench_dashboards.py
    if not os.path.exists(path):
        t = time.perf_counter()
        bench_dashboards.generate(path, args.size)
        print(f"generated {path} in {time.perf_counter() - t:.0f} s", file=sys.stderr)

    from surveyapp.extensions import db
    from surveyapp.models import Survey, User
    from surveyapp.reports import service

    app = bench_dashboards.make_app(path)
    with app.app_context():
        survey = db.session.scalar(db.select(Survey))
        user = db.session.scalar(db.select(User).where(User.email == "analyst@example.org"))
        report = service.create_report(db.session, survey, "Bench sheet", f"bench-{time.time()}", created_by_id=user.id)
        for i, (kind, params) in enumerate(SECTIONS):
            service.add_section(
                report,
                heading=f"Section {i + 1}",
                narrative="Some **narrative**.\n\n- a point",
                figure_kind=kind,
                figure_params=params,
            )
        db.session.commit()
        report_id = report.id

    client = app.test_client()
    client.post("/login", data={"email": "analyst@example.org", "password": bench_dashboards.PASSWORD})

    def timed(url: str) -> tuple[float, int]:
        times, size = [], 0
        for _ in range(args.repeat):
            t = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t)
            assert response.status_code == 200, (url, response.status_code)
            size = len(response.data)
        return statistics.median(times), size

    client.get(f"/reports/{report_id}/print")  # warm-up: templates compiled, pages in the OS cache
    page_s, page_bytes = timed(f"/reports/{report_id}/print")
    pdf_s, pdf_bytes = timed(f"/reports/{report_id}/pdf")
    result = {
        "responses": args.size,
        "sections": len(SECTIONS),
        "print_page_s": round(page_s, 3),
        "pdf_s": round(pdf_s, 3),
        "pdf_bytes": pdf_bytes,
        "page_bytes": page_bytes,
        "server_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "chromium_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
