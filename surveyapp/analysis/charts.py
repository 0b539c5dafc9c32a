"""Plotly figures built from the aggregates (never from response rows).

Plotly renders a subset of HTML in titles, tick labels, text and hover text, and
every label here comes from a questionnaire author or a respondent: `esc()` is
applied to each of them before it reaches a figure. Figures go to the page as
JSON in a <script type="application/json"> block (`figure_json`), which the
static file static/js/dashboards.js draws with Plotly.newPlot.
"""

from __future__ import annotations

import html
import json

import plotly.graph_objects as go
from flask_babel import gettext, lazy_gettext, ngettext
from markupsafe import Markup

from .disclosure import SUPPRESSED, Disclosure, display

BLUE, DARK_BLUE, GREEN, RED, ORANGE, GREY, LIGHT_GREY = (
    "#1d70b8",
    "#003078",
    "#00703c",
    "#d4351c",
    "#f47738",
    "#505a5f",
    "#b1b4b6",
)
FONT = dict(family="Arial, Helvetica, sans-serif", size=14, color="#0b0c0c")


def esc(text) -> str:
    """Text for a figure: HTML-escaped so Plotly shows it as text, never as markup."""
    return html.escape("" if text is None else str(text), quote=True)


def _wrap(text: str, width: int = 40) -> str:
    """Escaped text wrapped with <br> at word boundaries (the only markup we add ourselves)."""
    words, lines, line = str(text).split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(esc(part) for part in lines if part) or esc(text)


def _num(value) -> float:
    """A value to plot: suppressed or missing figures have no bar (their text says "suppressed")."""
    return 0 if value in (None, SUPPRESSED) else value


def _shown(value, suffix: str = "") -> str:
    """A figure's text on a chart: a hidden one says so in words, so it never reads as a zero."""
    if value == SUPPRESSED:
        return gettext("suppressed")
    return display(value) + (suffix if value is not None else "")


def _figure(traces: list, title: str | None = None, height: int = 320, **layout) -> go.Figure:
    """One Figure built in one step (Plotly's update_* calls are slow), without Plotly's default template."""
    base = dict(
        font=FONT,
        height=height,
        margin=dict(l=10, r=20, t=40 if title else 10, b=40),
        template="none",
        plot_bgcolor="white",
        paper_bgcolor="white",
        hoverlabel=dict(font=FONT),
    )
    if title:
        base["title"] = dict(text=esc(title))
    base.update(layout)
    return go.Figure(data=traces, layout=base)


def _count_text(count, percent) -> str:
    if count == SUPPRESSED or percent == SUPPRESSED:
        return gettext("suppressed")
    return f"{display(count)} ({display(percent)}%)" if percent not in (None,) else display(count)


def _axis(title: str | None = None, **extra) -> dict:
    axis = dict(automargin=True, **extra)
    if title:
        axis["title"] = dict(text=esc(title))
    return axis


def choice_bars(rows: list[dict], title: str | None = None) -> go.Figure:
    """Horizontal bars with counts and percentages (single and multiple choice, yes/no)."""
    texts = [esc(_count_text(r["count"], r["percent"])) for r in rows]
    axis = _axis(gettext("%% of those who answered") % {}, range=[0, 115], showgrid=True, gridcolor="#f3f2f1")
    return _horizontal_bars(rows, [_num(r["percent"]) for r in rows], texts, axis, title)


def rank_bars(rows: list[dict], title: str | None = None) -> go.Figure:
    """Horizontal bars of each option's mean position (rank questions): the shortest bar was put first most."""
    texts = [
        esc(
            ngettext(
                "mean position %(mean)s (%(num)s answer)",
                "mean position %(mean)s (%(num)s answers)",
                r["count"],
                mean=r["mean"],
            )
            if r["mean"] is not None
            else ""
        )
        for r in rows
    ]
    axis = _axis(gettext("Mean position (1 = put first)"), rangemode="tozero", showgrid=True, gridcolor="#f3f2f1")
    return _horizontal_bars(rows, [_num(r["mean"]) for r in rows], texts, axis, title)


def _horizontal_bars(rows: list[dict], values: list, texts: list[str], xaxis: dict, title: str | None) -> go.Figure:
    """One bar per option, labelled on the left, its (escaped) text beside it and in the hover."""
    bar = go.Bar(
        y=[_wrap(r["label"]) for r in rows],
        x=values,
        orientation="h",
        marker_color=BLUE,
        text=texts,
        textposition="outside",
        cliponaxis=False,
        customdata=texts,
        hovertemplate="%{y}<br>%{customdata}<extra></extra>",
    )
    return _figure([bar], title, height=max(180, 60 + 46 * len(rows)), yaxis=_axis(autorange="reversed"), xaxis=xaxis)


def likert_diverging(rows: list[dict], question_label: str, title: str | None = None) -> go.Figure:
    """A diverging stacked bar: agreement to the right of 0, disagreement to the left, neutral split across it."""
    n = len(rows)
    half = n // 2
    positive, neutral, negative = rows[:half], rows[half : n - half], rows[n - half :]
    palette_pos = [DARK_BLUE, BLUE, "#5694ca", "#9fc3e7"][: len(positive)]
    palette_neg = [ORANGE, RED, "#942514", "#6b1c0f"][: len(negative)]
    y = [_wrap(question_label, 30)]
    traces = []

    def add(row, x, color, show_legend=True):
        text = esc(_count_text(row["count"], row["percent"]))
        traces.append(
            go.Bar(
                y=y,
                x=[x],
                name=esc(row["label"]),
                orientation="h",
                marker_color=color,
                legendgroup=esc(row["value"]),
                showlegend=show_legend,
                customdata=[text],
                hovertemplate=f"{esc(row['label'])}: %{{customdata}}<extra></extra>",
            )
        )

    for row in neutral:
        add(row, -_num(row["percent"]) / 2, LIGHT_GREY, show_legend=False)
    for row, color in zip(reversed(negative), palette_neg):  # nearest to the centre first
        add(row, -_num(row["percent"]), color)
    for row in neutral:
        add(row, _num(row["percent"]) / 2, LIGHT_GREY)
    for row, color in zip(reversed(positive), palette_pos):
        add(row, _num(row["percent"]), color)
    return _figure(
        traces,
        title,
        height=240,
        barmode="relative",
        legend=dict(orientation="h", traceorder="normal", y=-0.3),
        xaxis=_axis(
            gettext("%% of those who answered (disagreement to the left)") % {},
            range=[-100, 100],
            zeroline=True,
            zerolinecolor="#0b0c0c",
        ),
        yaxis=_axis(),
    )


def number_histogram(bins: list[dict], summary: dict, title: str | None = None) -> go.Figure:
    """A histogram of a number question with its median and quartiles marked (bins are equally wide)."""
    x = [(b["start"] + b["end"]) / 2 for b in bins]
    step = (bins[1]["start"] - bins[0]["start"]) if len(bins) > 1 else 1
    widths = [step * 0.9] * len(bins)
    texts = [esc(_shown(b["count"])) for b in bins]
    bar = go.Bar(
        x=x,
        y=[_num(b["count"]) for b in bins],
        width=widths,
        marker_color=BLUE,
        text=texts,
        textposition="outside",
        cliponaxis=False,
        customdata=[[esc(b["label"]), t] for b, t in zip(bins, texts)],
        hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>",
    )
    shapes, annotations = [], []
    for key, dash in (("q1", "dot"), ("median", "solid"), ("q3", "dot")):
        value = summary.get(key)
        if value not in (None, SUPPRESSED):
            shapes.append(
                dict(
                    type="line",
                    xref="x",
                    yref="paper",
                    x0=value,
                    x1=value,
                    y0=0,
                    y1=1,
                    line=dict(color=RED, dash=dash, width=2),
                )
            )
            annotations.append(
                dict(
                    xref="x",
                    yref="paper",
                    x=value,
                    y=1.0,
                    yanchor="bottom",
                    showarrow=False,
                    text=esc(_quartile_text(key, display(value))),
                    font=dict(color=RED, size=12),
                )
            )
    return _figure(
        [bar],
        title,
        height=320,
        bargap=0.05,
        shapes=shapes,
        annotations=annotations,
        margin=dict(l=10, r=20, t=40, b=40),
        yaxis=_axis(gettext("responses"), rangemode="tozero"),
        xaxis=_axis(),
    )


def _quartile_text(key: str, value) -> str:
    if key == "q1":
        return gettext("lower quartile %(value)s", value=value)
    if key == "q3":
        return gettext("upper quartile %(value)s", value=value)
    return gettext("median %(value)s", value=value)


def _per_unit(unit: str | None) -> tuple[str, str]:
    """The axis title and the hover text's start for a date histogram binned by day, week or month."""
    if unit == "week":
        return gettext("answers per week"), gettext("week of")
    if unit == "month":
        return gettext("answers per month"), gettext("month of")
    return gettext("answers per day"), gettext("day of")


def date_histogram(bins: list[dict], unit: str | None, title: str | None = None) -> go.Figure:
    """Answers to a date question per day, week or month."""
    texts = [esc(_shown(b["count"])) for b in bins]
    bar = go.Bar(
        x=[b["start"] for b in bins],
        y=[_num(b["count"]) for b in bins],
        marker_color=BLUE,
        text=texts,
        textposition="outside",
        cliponaxis=False,
        customdata=texts,
        hovertemplate=f"{esc(_per_unit(unit)[1])} %{{x}}: %{{customdata}}<extra></extra>",
    )
    return _figure(
        [bar],
        title,
        height=300,
        xaxis=_axis(type="date", tickformat="%-d %b %Y", hoverformat="%-d %B %Y"),  # UK day-month-year
        yaxis=_axis(_per_unit(unit)[0], rangemode="tozero"),
    )


FUNNEL_LABELS = {
    "invited": lazy_gettext("Invited"),
    "emailed": lazy_gettext("Emailed"),
    "opened": lazy_gettext("Opened the link"),
    "started": lazy_gettext("Started"),
    "completed": lazy_gettext("Completed"),
}


def funnel_chart(figures: dict) -> go.Figure:
    steps = list(FUNNEL_LABELS)
    texts = [
        esc(_shown(figures[s]) + ("" if s == "invited" else f" ({_shown(figures['rates'][s], '%')})")) for s in steps
    ]
    funnel = go.Funnel(
        y=[str(FUNNEL_LABELS[s]) for s in steps],
        x=[_num(figures[s]) for s in steps],
        text=texts,
        textinfo="text",
        marker_color=BLUE,
        customdata=texts,
        hovertemplate="%{y}: %{customdata}<extra></extra>",
    )
    return _figure([funnel], None, height=300, yaxis=_axis())


def segment_rates(rows: list[dict], attribute: str) -> go.Figure:
    """Response rate per segment, with its 95% interval as error bars."""
    segments = [esc(r.get("segment_label") or r["segment"]) for r in rows]
    with_ci = [isinstance(r["response_rate_ci"], list) for r in rows]
    plus = [(r["response_rate_ci"][1] - r["response_rate"]) if ok else 0 for r, ok in zip(rows, with_ci)]
    minus = [(r["response_rate"] - r["response_rate_ci"][0]) if ok else 0 for r, ok in zip(rows, with_ci)]
    texts = [esc(_shown(r["response_rate"], "%")) for r in rows]
    bar = go.Bar(
        x=segments,
        y=[_num(r["response_rate"]) for r in rows],
        marker_color=BLUE,
        text=texts,
        textposition="outside",
        customdata=texts,
        hovertemplate="%{x}: %{customdata}<extra></extra>",
        error_y=dict(type="data", symmetric=False, array=plus, arrayminus=minus, color=GREY),
    )
    return _figure(
        [bar],
        None,
        height=320,
        yaxis=_axis(gettext("response rate (%)"), rangemode="tozero"),
        xaxis=_axis(attribute, type="category"),
    )


def _grouped_bars(rows: list[dict], keys: list[tuple[str, str, str]], percent: bool = False) -> list:
    segments = [esc(r.get("segment_label") or r["segment"]) for r in rows]
    traces = []
    for key, name, color in keys:
        texts = [esc(_shown(r[key], "%" if percent else "")) for r in rows]
        traces.append(
            go.Bar(
                x=segments,
                y=[_num(r[key]) for r in rows],
                name=esc(name),
                marker_color=color,
                text=texts,
                textposition="outside",
                customdata=texts,
                hovertemplate=f"%{{x}}, {esc(name)}: %{{customdata}}<extra></extra>",
            )
        )
    return traces


def representativeness(rows: list[dict], attribute: str) -> go.Figure:
    """Each segment's share of the people invited beside its share of the respondents."""
    traces = _grouped_bars(
        rows,
        [
            ("share_of_invited", gettext("Share of people invited"), LIGHT_GREY),
            ("share_of_respondents", gettext("Share of respondents"), BLUE),
        ],
        percent=True,
    )
    return _figure(
        traces,
        None,
        height=340,
        barmode="group",
        legend=dict(orientation="h", y=-0.25),
        yaxis=_axis("%", rangemode="tozero"),
        xaxis=_axis(attribute, type="category"),
    )


def segment_counts(rows: list[dict], keys: list[tuple[str, str]], axis_title: str) -> go.Figure:
    """Counts per segment (collection mode, volunteer): one bar per key."""
    colors = [BLUE, LIGHT_GREY, ORANGE, GREY]
    traces = _grouped_bars(rows, [(key, name, color) for (key, name), color in zip(keys, colors)])
    return _figure(
        traces,
        None,
        height=320,
        barmode="group",
        legend=dict(orientation="h", y=-0.25),
        xaxis=_axis(axis_title, type="category"),
        yaxis=_axis(rangemode="tozero"),
    )


def cumulative_completions(days: list[tuple[str, int]], sends: list[tuple[str, str, int]], d: Disclosure) -> go.Figure:
    """Cumulative completed responses by day, with markers where invitations and reminders went out."""
    running, cumulative = 0, {}
    for day, n in days:  # one row per day (an aggregate), not per response
        running += n
        cumulative[day] = running
    shown = [d.count(v) for v in cumulative.values()]
    traces = [
        go.Scatter(
            x=list(cumulative),
            y=[None if v == SUPPRESSED else v for v in shown],
            mode="lines+markers",
            line_shape="hv",
            name=gettext("Completed (cumulative)"),
            marker_color=BLUE,
            connectgaps=False,
            customdata=[esc(_completed_text(v)) for v in shown],
            hovertemplate="%{x}: %{customdata}<extra></extra>",
        )
    ]

    def level_at(day: str) -> int:
        before = [v for k, v in cumulative.items() if k <= day]
        value = d.count(before[-1]) if before else 0
        return 0 if value == SUPPRESSED else value

    for kind, name, symbol, color in (
        ("emailed", gettext("Invitations sent"), "triangle-up", GREEN),
        ("reminded", gettext("Reminders sent"), "diamond", ORANGE),
    ):
        points = [(day, n) for day, k, n in sends if k == kind]
        if points:
            texts = [esc(_sent_text(kind, display(d.contacts(n)))) for _, n in points]
            traces.append(
                go.Scatter(
                    x=[p[0] for p in points],
                    y=[level_at(p[0]) for p in points],
                    mode="markers",
                    name=name,
                    marker=dict(symbol=symbol, size=14, color=color),
                    customdata=texts,
                    hovertemplate="%{x}: %{customdata}<extra></extra>",
                )
            )
    return _figure(
        traces,
        None,
        height=340,
        legend=dict(orientation="h", y=-0.2),
        xaxis=_axis(type="date", tickformat="%-d %b %Y", hoverformat="%-d %B %Y"),  # UK day-month-year
        yaxis=_axis(gettext("completed responses"), rangemode="tozero"),
    )


def _completed_text(value) -> str:
    if value == SUPPRESSED:
        return gettext("suppressed")
    return gettext("%(count)s completed", count=value)


def _sent_text(kind: str, count) -> str:
    if kind == "reminded":
        return gettext("Reminders sent: %(count)s", count=count)
    return gettext("Invitations sent: %(count)s", count=count)


def cross_tab_chart(crosstab: dict) -> go.Figure:
    """Column percentages of a choice question per segment, as grouped bars."""
    segments = [esc(s.get("segment_label") or s["segment"]) for s in crosstab["segments"]]
    traces = []
    for row in crosstab["rows"]:
        texts = [esc(_count_text(c["count"], c["percent"])) for c in row["cells"]]
        traces.append(
            go.Bar(
                x=segments,
                y=[_num(c["percent"]) for c in row["cells"]],
                name=esc(row["label"]),
                customdata=texts,
                hovertemplate=f"%{{x}}, {esc(row['label'])}: %{{customdata}}<extra></extra>",
            )
        )
    return _figure(
        traces,
        None,
        height=360,
        barmode="group",
        legend=dict(orientation="h", y=-0.25),
        yaxis=_axis(gettext("%% of the segment's answers") % {}, rangemode="tozero"),
        xaxis=_axis(type="category"),
    )


def question_chart(result) -> go.Figure | None:
    """The chart for a QuestionResult, chosen by question type (None for free text)."""
    if result.kind == "choice":
        return choice_bars(result.rows)
    if result.kind == "likert":
        return likert_diverging(result.rows, result.label)
    if result.kind == "number":
        return number_histogram(result.bins, result.summary)
    if result.kind == "date":
        return date_histogram(result.bins, result.unit)
    if result.kind == "rank":
        return rank_bars(result.rows)
    return None


def figure_json(fig: go.Figure) -> Markup:
    """The figure as JSON that is safe inside <script type="application/json"> (no '</script>' can end it)."""
    text = fig.to_json()
    # Within JSON strings these escapes mean the same characters, so JSON.parse gives the figure back.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def to_plain(fig: go.Figure) -> dict:
    return json.loads(fig.to_json())
