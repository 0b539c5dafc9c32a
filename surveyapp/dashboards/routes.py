"""Dashboard views: thin; the numbers come from figures.py (SQL aggregates + disclosure), charts from charts.py."""

from __future__ import annotations

from pathlib import Path

import plotly
from flask import abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from ..analysis import charts, figures, queries
from ..analysis.disclosure import Disclosure, display
from ..auth.access import can_access_survey, roles_required
from ..extensions import db
from ..models import Survey, utcnow
from ..numbers import query_int
from . import bp, filter_form
from .access import disclosure_for, mark_read_only, parse_filters, survey_or_404

# The partial bundle (bar, scatter, funnel: the trace types charts.py draws) built by scripts/build_assets.sh
# from npm's plotly.js-finance-dist-min; the full bundle of the plotly package only if it has not been built.
PLOTLY_PARTIAL_JS = Path(__file__).resolve().parent.parent / "static" / "dist" / "plotly.min.js"
PLOTLY_FULL_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
WRITING_ENDPOINTS = {"dashboards.export"}  # exports are audited
FREE_TEXT_PAGE = 50


@bp.before_request
def _read_only():
    mark_read_only(writes=request.endpoint in WRITING_ENDPOINTS)


@bp.context_processor
def _plotly_partial_built():
    return {"plotly_partial_built": PLOTLY_PARTIAL_JS.exists}


@bp.get("/plotly.min.js")
@roles_required("admin", "analyst")
def plotly_js():
    """plotly.js served locally (no CDN), and only dashboard pages load it.

    The partial bundle built by `make assets` is a static file with a versioned URL (cached a year,
    gzipped: static_files.py); this address sends there. Without a build, the full bundle from the
    plotly package is served from here.
    """
    if PLOTLY_PARTIAL_JS.exists():
        return redirect(url_for("static", filename="dist/plotly.min.js"))
    response = send_file(PLOTLY_FULL_JS, mimetype="text/javascript", max_age=86400, conditional=True)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.get("/")
@roles_required("admin", "analyst")
def index():
    surveys = [
        s for s in db.session.scalars(select(Survey).order_by(Survey.slug)) if can_access_survey(current_user, s)
    ]
    return render_template("dashboards/index.html", title=gettext("Dashboards"), surveys=surveys)


def _attribute_choice(survey: Survey, default_first: bool = True) -> tuple[list[str], str | None]:
    names = queries.attribute_names(db.session, survey.id)
    by = request.args.get("by")
    if by not in names:
        by = names[0] if (names and default_first) else None
    return names, by


@bp.get("/<slug>/")
@roles_required("admin", "analyst")
def rates(slug):
    survey = survey_or_404(slug)
    d = disclosure_for(survey, "rates")
    attributes, by = _attribute_choice(survey)
    breakdown = figures.breakdown_figures(db.session, survey, d, by) if by else []
    funnel = figures.funnel_figures(db.session, survey, d, breakdown)
    modes = figures.mode_figures(db.session, survey, d)
    volunteers = figures.volunteer_figures(db.session, survey, d) if survey.is_interview else []
    timeline = charts.cumulative_completions(
        queries.completions_by_day(db.session, survey.id), queries.sends_by_day(db.session, survey.id), d
    )
    chart_json = {
        "funnel": charts.figure_json(charts.funnel_chart(funnel)) if funnel["invited"] else None,
        "timeline": charts.figure_json(timeline),
        "segments": charts.figure_json(charts.segment_rates(breakdown, by)) if breakdown else None,
        "representation": charts.figure_json(charts.representativeness(breakdown, by)) if breakdown else None,
        "modes": charts.figure_json(
            charts.segment_counts(
                modes,
                [("completed", gettext("Completed")), ("in_progress", gettext("In progress"))],
                gettext("collection mode"),
            )
        )
        if modes
        else None,
        "volunteers": charts.figure_json(
            charts.segment_counts(
                volunteers,
                [
                    ("completed", gettext("Completed")),
                    ("in_progress", gettext("In progress")),
                    ("declined", gettext("Declined")),
                ],
                gettext("volunteer"),
            )
        )
        if volunteers
        else None,
    }
    return render_template(
        "dashboards/rates.html",
        title=gettext("Response rates: %(title)s", title=survey.title),
        survey=survey,
        d=d,
        funnel=funnel,
        attributes=attributes,
        by=by,
        breakdown=breakdown,
        modes=modes,
        volunteers=volunteers,
        charts=chart_json,
        tab="rates",
        ratio=figures.UNDER_REPRESENTED_RATIO,
    )


@bp.get("/<slug>/results")
@roles_required("admin", "analyst")
def results(slug):
    survey = survey_or_404(slug)
    args, date_errors = filter_form.canonical_args(request.args)
    if args is not None and not date_errors:
        # The form's fields (one segment list, day/month/year boxes) become the short query string links keep.
        return redirect(url_for("dashboards.results", slug=slug, **args.to_dict(flat=False)))
    filters, errors = parse_filters(args if args is not None else request.args)
    errors = date_errors + errors
    d = disclosure_for(survey, "results")
    attributes = queries.attribute_names(db.session, survey.id)
    segments = []
    for attribute in attributes:
        labels = figures.segment_labels(db.session, survey, attribute)
        values = queries.attribute_values(db.session, survey.id, attribute)
        segments.append((attribute, [(v, labels.get(v, v)) for v in values]))
    respondents, respondents_raw, results_ = figures.question_results(db.session, survey, d, filters)
    chart_json = {r.name: charts.figure_json(fig) for r in results_ if (fig := charts.question_chart(r)) is not None}
    choice_questions = [q for q in queries.question_catalogue(db.session, survey.id, filters.version) if q.choices]
    crosstab = None
    xq, xby = request.args.get("xq"), request.args.get("xby")
    if xq and xby and (xby in attributes or xby == "collection_mode"):
        question = next((q for q in choice_questions if q.name == xq), None)
        if question is not None:
            crosstab = {
                "question": question,
                "by": xby,
                **figures.cross_tab_figures(db.session, survey, d, question, xby, filters),
            }
            chart_json["__crosstab"] = charts.figure_json(charts.cross_tab_chart(crosstab))
    versions = [v.number for v in survey.versions]
    return render_template(
        "dashboards/results.html",
        title=gettext("Results: %(title)s", title=survey.title),
        survey=survey,
        d=d,
        filters=filters,
        errors=errors,
        attributes=attributes,
        segments=segments,
        date_parts={
            k: filter_form.date_parts(request.args, k, v)
            for k, v in (("from", filters.date_from), ("to", filters.date_to))
        },
        respondents=respondents,
        respondents_raw=respondents_raw,
        results=results_,
        charts=chart_json,
        choice_questions=choice_questions,
        crosstab=crosstab,
        versions=versions,
        tab="results",
        show_text=d.shows_free_text(respondents_raw),
        labels=figures.segment_labels(db.session, survey, filters.attribute),
    )


@bp.get("/<slug>/text/<name>")
@roles_required("admin", "analyst")
def free_text(slug, name):
    survey = survey_or_404(slug)
    filters, errors = parse_filters(request.args)
    d = disclosure_for(survey, "free_text")
    question = next(
        (
            q
            for q in queries.question_catalogue(db.session, survey.id)
            if q.name == name and queries.is_free_text(q.qtype)
        ),
        None,
    )
    if question is None:
        abort(404)
    group = figures.text_group(db.session, survey, name, filters)
    search = (request.args.get("q") or "").strip()[:200]
    page = query_int("page", 1)
    total, answers = 0, []
    if d.shows_free_text(group):
        total, answers = queries.free_text(
            db.session,
            survey.id,
            name,
            filters,
            search or None,
            limit=FREE_TEXT_PAGE,
            offset=(page - 1) * FREE_TEXT_PAGE,
        )
    return render_template(
        "dashboards/free_text.html",
        title=gettext("Answers: %(label)s", label=question.label),
        survey=survey,
        d=d,
        question=question,
        filters=filters,
        errors=errors,
        search=search,
        page=page,
        total=total,
        answers=answers,
        group=group,
        page_size=FREE_TEXT_PAGE,
        total_shown=d.cell(total),
        tab="results",
    )


@bp.get("/<slug>/non-responders")
@roles_required("admin")
def non_responders(slug):
    survey = survey_or_404(slug)
    attributes = queries.attribute_names(db.session, survey.id)
    attr = request.args.get("attr") if request.args.get("attr") in attributes else None
    value = request.args.get("value") if attr else None
    values = queries.attribute_values(db.session, survey.id, attr) if attr else []
    people = queries.non_responders(db.session, survey.id, attr, value)
    return render_template(
        "dashboards/non_responders.html",
        title=gettext("Non-responders: %(title)s", title=survey.title),
        survey=survey,
        attributes=attributes,
        attr=attr,
        value=value,
        values=values,
        people=people,
        tab="rates",
    )


def _report_page(survey: Survey, d, mode: str) -> str:
    """The printable report's HTML: the print layout (no navigation), each chart with its figures as a table."""
    from ..printing import print_context

    attributes, by = _attribute_choice(survey)
    breakdown = figures.breakdown_figures(db.session, survey, d, by) if by else []
    funnel = figures.funnel_figures(db.session, survey, d, breakdown)
    respondents, respondents_raw, results_ = figures.question_results(db.session, survey, d)
    chart_json = {r.name: charts.figure_json(fig) for r in results_ if (fig := charts.question_chart(r)) is not None}
    if breakdown:
        chart_json["__representation"] = charts.figure_json(charts.representativeness(breakdown, by))
    return render_template(
        "dashboards/report.html",
        title=gettext("Report: %(title)s", title=survey.title),
        survey=survey,
        d=d,
        funnel=funnel,
        by=by,
        breakdown=breakdown,
        respondents=respondents,
        results=results_,
        charts=chart_json,
        quotes=figures.text_samples(db.session, d, survey, results_, per_question=12),
        ratio=figures.UNDER_REPRESENTED_RATIO,
        generated=utcnow(),
        **print_context(mode, exact=not d.enabled),
    )


@bp.get("/<slug>/report")
@roles_required("admin", "analyst")
def report(slug):
    """The printable report: under the survey's policy; exact figures only on request (audited) and marked."""
    survey = survey_or_404(slug)
    d = disclosure_for(survey, "report")
    return _report_page(survey, d, "page")


@bp.get("/<slug>/report.pdf")
@roles_required("admin", "analyst")
def report_pdf(slug):
    """The printable report as a PDF printed by Chromium on the server (exact only on request, audited)."""
    from ..printing import PdfError, html_to_pdf

    survey = survey_or_404(slug)
    d = disclosure_for(survey, "report.pdf")
    try:
        body = html_to_pdf(_report_page(survey, d, "pdf"))
    except PdfError:
        abort(503, description=gettext("The PDF could not be made just now: print the page from your browser instead."))
    name = f"{survey.slug}-report{'-EXACT' if not d.enabled else ''}.pdf"
    return (
        body,
        200,
        {
            "Content-Type": "application/pdf",
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


from . import export_routes  # noqa: E402,F401  (the export views, same blueprint)


def tab_links(survey: Survey) -> list[tuple[str, str, str]]:
    return [
        ("rates", gettext("Response rates"), url_for("dashboards.rates", slug=survey.slug)),
        ("results", gettext("Results"), url_for("dashboards.results", slug=survey.slug)),
        ("report", gettext("Printable report"), url_for("dashboards.report", slug=survey.slug)),
        ("exports", gettext("Exports"), url_for("dashboards.exports", slug=survey.slug)),
    ]


def disclosure_rule(survey: Survey) -> str:
    return Disclosure.for_survey(survey).rule_text()


def survey_total(survey: Survey, n: int) -> int | str:
    """A survey's headline count of respondents as every other page shows it (the Surveys list)."""
    return Disclosure.for_survey(survey).total(n)


@bp.app_context_processor
def _dashboard_helpers():
    return {"dashboard_tabs": tab_links, "disclosure_rule": disclosure_rule, "survey_total": survey_total}


@bp.app_template_filter("figure")
def _figure(value) -> str:
    """A disclosure-controlled figure for a page: '*', a number without '.0', or a dash."""
    return display(value)
