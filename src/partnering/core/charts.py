"""Server-rendered charts: the one chart module of the product.

Charts are drawn with matplotlib's object API (``Figure`` with the Agg/SVG
canvas, never ``pyplot``), so no global figure state survives a request, and
returned as SVG text: the page shows it as an ``<img>`` data URI (allowed by the
CSP's ``img-src data:``), and the PDF report embeds the very same SVG.

Output is deterministic for the same input (fixed ``svg.hashsalt``, no date in
the metadata, text drawn as paths in DejaVu Sans, which ships with matplotlib),
so each chart is cached under a hash of the data it shows: a repeated page view
does not draw it again, and a change in the data changes the key.

Colours: GOV.UK blue for the customer, GOV.UK orange for the provider. Blue
against orange stays distinct under the common colour-vision deficiencies; the
orange is too light on white for the 3:1 non-text contrast that WCAG asks of
graphics, so every bar and marker has a near-black outline, and the two sides
also differ in marker and line style. Every chart has a table of the same
figures next to it, on the page and in the report.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display, whatever MPLBACKEND says

from django.core.cache import cache  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.backends.backend_svg import FigureCanvasSVG  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

__all__ = [
    "CUSTOMER_COLOUR",
    "PROVIDER_COLOUR",
    "answers_chart",
    "answers_chart_data_uri",
    "answers_chart_print_data_uri",
    "data_uri",
    "trend_chart",
    "trend_chart_data_uri",
]

#: Bump when the drawing code changes, so cached charts are drawn again.
CHART_VERSION = 2
CACHE_TIMEOUT = 60 * 60 * 24 * 7

CUSTOMER_COLOUR = "#1d70b8"  # GOV.UK blue
PROVIDER_COLOUR = "#f47738"  # GOV.UK orange
TEXT_COLOUR = "#0b0c0c"  # GOV.UK black
GRID_COLOUR = "#b1b4b6"  # GOV.UK mid grey
MUTED_COLOUR = "#505a5f"  # GOV.UK dark grey

_RC = {
    "svg.hashsalt": "partnering-charts",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "text.color": TEXT_COLOUR,
    "axes.edgecolor": MUTED_COLOUR,
    "axes.labelcolor": TEXT_COLOUR,
    "xtick.color": TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
}
# rc_context swaps process-wide rcParams for the duration of a drawing; the lock
# keeps two threads from drawing (and swapping settings) at the same time.
_LOCK = threading.Lock()


# -- plumbing ----------------------------------------------------------------------


def _key(kind: str, data: Any) -> str:
    blob = json.dumps([CHART_VERSION, kind, data], sort_keys=True, separators=(",", ":"))
    return f"chart:{kind}:{hashlib.sha256(blob.encode()).hexdigest()}"


def _cached(kind: str, data: Any, draw: Callable[[Any], str]) -> str:
    key = _key(kind, data)
    svg = cache.get(key)
    if svg is None:
        svg = draw(data)
        cache.set(key, svg, CACHE_TIMEOUT)
    return svg


def _svg(figure: Figure) -> str:
    FigureCanvasSVG(figure)
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()


#: Dots per inch of charts drawn for print: a report's chart is about 170 mm wide on A4, so 150 is
#: print quality. At 200, a benchmark worker's peak rose from 194 to 202-204 MB (the decoded image).
PRINT_DPI = 150


def _png_base64(figure: Figure) -> str:
    """An opaque (RGB) PNG: matplotlib writes RGBA, and WeasyPrint re-encodes an alpha channel as a
    separate mask in every PDF it places the image in; a chart on white needs none."""
    from PIL import Image

    FigureCanvasAgg(figure)
    rgba = io.BytesIO()
    figure.savefig(rgba, format="png", dpi=PRINT_DPI, facecolor="white", metadata={"Software": None})
    rgba.seek(0)
    out = io.BytesIO()
    with Image.open(rgba) as image:
        image.convert("RGB").save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode("ascii")


def data_uri(svg: str) -> str:
    """An SVG as a ``data:`` URI for ``<img src>`` (empty in, empty out)."""
    if not svg:
        return ""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _scale_ticks(scale: Any) -> list[tuple[int, str]]:
    """The scale's scored answers as axis ticks: (score, label), lowest first."""
    return sorted((o.score, o.label) for o in scale.options if o.score is not None)


def _value(answer: Any) -> str:
    return getattr(answer, "value", "") or ""


# -- answers: customer against provider, question by question ----------------------


def _answers_data(bank: Any, rows: Iterable[Any]) -> dict[str, Any]:
    options = {o.value: o for o in bank.scale.options}

    def point(answer: Any) -> list[Any] | None:
        option = options.get(_value(answer))
        return None if option is None else [option.score, option.label]

    questions = [[row.question.id, point(row.customer), point(row.provider)] for row in rows]
    return {"ticks": _scale_ticks(bank.scale), "questions": questions}


def _draw_answers(data: dict[str, Any], render: Callable[[Figure], str] | None = None) -> str:
    ticks, questions = data["ticks"], data["questions"]
    n = len(questions)
    sides = [
        ("Customer", CUSTOMER_COLOUR, 1, None),
        ("Provider", PROVIDER_COLOUR, 2, "//"),
    ]
    shown = [s for s in sides if any(q[s[2]] for q in questions)]
    bar = 0.8 / max(len(shown), 1)
    with _LOCK, matplotlib.rc_context(_RC):
        height = 0.9 + n * (0.16 * max(len(shown), 1) + 0.08)
        figure = Figure(figsize=(7.0, height), layout="constrained")
        ax = figure.add_subplot()
        for i, (label, colour, index, hatch) in enumerate(shown):
            offset = (i - (len(shown) - 1) / 2) * bar
            ys, widths = [], []
            for y, q in enumerate(questions):
                answer = q[index]
                if answer is None:
                    continue
                if answer[0] is None:
                    # Unscored ("Not yet known"): no bar, but say so rather than leave a hole.
                    ax.text(
                        0.05,
                        y + offset,
                        answer[1],
                        va="center",
                        ha="left",
                        fontsize=7,
                        color=MUTED_COLOUR,
                        style="italic",
                    )
                    continue
                ys.append(y + offset)
                widths.append(answer[0])
            ax.barh(
                ys,
                widths,
                height=bar * 0.92,
                color=colour,
                edgecolor=TEXT_COLOUR,
                linewidth=0.6,
                hatch=hatch,
                label=label,
            )
        ax.set_yticks(range(n), [q[0] for q in questions])
        ax.set_ylim(n - 0.5, -0.5)  # first question at the top, as in the table
        scores = [score for score, _ in ticks]
        ax.set_xlim(0, max(scores or [1]) + 0.15)
        ax.set_xticks(scores, [label for _, label in ticks])
        ax.xaxis.grid(True, color=GRID_COLOUR, linewidth=0.6)
        ax.set_axisbelow(True)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
        ax.tick_params(axis="y", length=0)
        if shown:
            ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(shown), frameon=False)
        return (render or _svg)(figure)


def answers_chart(bank: Any, rows: Sequence[Any]) -> str:
    """Horizontal grouped bars: each question's agreed answer, customer against provider.

    ``bank`` is a ``BankSpec``; ``rows`` are the results' question rows (anything
    with ``question.id``, ``customer`` and ``provider`` answers). Only the sides
    present in ``rows`` are drawn, so a chart made before the reveal shows the
    member's own side alone. Empty string when there is nothing to draw.
    """
    data = _answers_data(bank, rows)
    if not any(q[1] or q[2] for q in data["questions"]):
        return ""
    return _cached("answers", data, _draw_answers)


def answers_chart_data_uri(bank: Any, rows: Sequence[Any]) -> str:
    return data_uri(answers_chart(bank, rows))


def answers_chart_print_data_uri(bank: Any, rows: Sequence[Any]) -> str:
    """The same chart as a PNG at print resolution, as a ``data:`` URI, for PDFs.

    WeasyPrint draws a matplotlib SVG (every glyph a path) in about half a
    second of a report's two; a PNG it only places. Empty when there is nothing to draw.
    """
    data = _answers_data(bank, rows)
    if not any(q[1] or q[2] for q in data["questions"]):
        return ""
    png = _cached("answers-png", data, lambda d: _draw_answers(d, render=_png_base64))
    return "data:image/png;base64," + png


# -- trend: each side's mean score per cycle ---------------------------------------


def _mean(spec: Any, answers: dict[str, str]) -> float | None:
    scores = []
    for value in answers.values():
        try:
            score = spec.scale.score(value)
        except KeyError:
            continue
        if score is not None:
            scores.append(score)
    return round(sum(scores) / len(scores), 4) if scores else None


def _cycle_label(assessment: Any) -> str:
    when = assessment.revealed_at or assessment.created_at
    label = f"{when:%b %Y}" if when else ""
    return f"Year {assessment.cycle}\n{label}" if assessment.cycle else label


def _trend_data(points: Iterable[Any]) -> dict[str, Any]:
    cycles, ticks = [], []
    for p in points:
        spec = p.assessment.bank.bank
        ticks = _scale_ticks(spec.scale)  # the latest cycle's scale labels the axis
        cycles.append([_cycle_label(p.assessment), _mean(spec, p.customer), _mean(spec, p.provider)])
    return {"ticks": ticks, "cycles": cycles}


def _draw_trend(data: dict[str, Any]) -> str:
    ticks, cycles = data["ticks"], data["cycles"]
    xs = list(range(len(cycles)))
    with _LOCK, matplotlib.rc_context(_RC):
        figure = Figure(figsize=(7.0, 3.2), layout="constrained")
        ax = figure.add_subplot()
        for label, colour, index, marker, style in (
            ("Customer", CUSTOMER_COLOUR, 1, "o", "-"),
            ("Provider", PROVIDER_COLOUR, 2, "s", "--"),
        ):
            points = [(x, c[index]) for x, c in zip(xs, cycles, strict=True) if c[index] is not None]
            if not points:
                continue
            ax.plot(
                [x for x, _ in points],
                [y for _, y in points],
                color=colour,
                linestyle=style,
                linewidth=2,
                marker=marker,
                markersize=7,
                markeredgecolor=TEXT_COLOUR,
                markeredgewidth=0.8,
                label=f"{label} (mean score)",
            )
        scores = [score for score, _ in ticks]
        if scores:
            ax.set_ylim(min(scores) - 0.25, max(scores) + 0.25)
            ax.set_yticks(scores, [label for _, label in ticks])
        ax.set_xticks(xs, [c[0] for c in cycles])
        ax.set_xlim(-0.5, len(cycles) - 0.5)
        ax.yaxis.grid(True, color=GRID_COLOUR, linewidth=0.6)
        ax.set_axisbelow(True)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False)
        return _svg(figure)


def trend_chart(points: Sequence[Any]) -> str:
    """Each side's mean agreed score per revealed cycle, on the bank's scale.

    ``points`` are the ``TrendPoint``s of ``selectors.trend`` (revealed cycles
    only, oldest first). Unscored answers ("Not yet known") are left out of the
    mean. Empty string when no cycle has a scored answer.
    """
    data = _trend_data(points)
    if not any(c[1] is not None or c[2] is not None for c in data["cycles"]):
        return ""
    return _cached("trend", data, _draw_trend)


def trend_chart_data_uri(points: Sequence[Any]) -> str:
    return data_uri(trend_chart(points))


# -- KPIs: measurements per period against the agreed baseline and target ------------


def _kpi_data(
    unit: str, labels: Sequence[str], lines: Sequence[tuple[str, Sequence[Any]]], baseline: Any, target: Any
) -> dict[str, Any]:
    def num(value: Any) -> float | None:
        return None if value is None else round(float(value), 4)

    return {
        "unit": unit,
        "labels": list(labels),
        "lines": [[name, [num(v) for v in values]] for name, values in lines],
        "baseline": num(baseline),
        "target": num(target),
    }


def _draw_kpi(data: dict[str, Any]) -> str:
    labels, lines = data["labels"], data["lines"]
    xs = list(range(len(labels)))
    styles = [(CUSTOMER_COLOUR, "o", "-"), (PROVIDER_COLOUR, "s", "--")]
    with _LOCK, matplotlib.rc_context(_RC):
        figure = Figure(figsize=(7.0, 3.2), layout="constrained")
        ax = figure.add_subplot()
        for (name, values), (colour, marker, style) in zip(lines, styles, strict=False):
            points = [(x, y) for x, y in zip(xs, values, strict=True) if y is not None]
            if not points:
                continue
            ax.plot(
                [x for x, _ in points],
                [y for _, y in points],
                color=colour,
                linestyle=style,
                linewidth=2,
                marker=marker,
                markersize=6,
                markeredgecolor=TEXT_COLOUR,
                markeredgewidth=0.8,
                label=name,
            )
        # Baseline and target differ in line style as well as label, not in colour alone.
        if data["baseline"] is not None:
            ax.axhline(data["baseline"], color=MUTED_COLOUR, linestyle=":", linewidth=1.5, label="Agreed baseline")
        if data["target"] is not None:
            ax.axhline(data["target"], color=TEXT_COLOUR, linestyle="-.", linewidth=1.5, label="Agreed target")
        ax.set_xticks(xs, labels, rotation=45 if len(labels) > 8 else 0, ha="right" if len(labels) > 8 else "center")
        ax.set_xlim(-0.5, max(len(labels) - 0.5, 0.5))
        if data["unit"]:
            ax.set_ylabel(data["unit"])
        ax.yaxis.grid(True, color=GRID_COLOUR, linewidth=0.6)
        ax.set_axisbelow(True)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=4, frameon=False)
        return _svg(figure)


def kpi_chart(
    *,
    unit: str,
    labels: Sequence[str],
    lines: Sequence[tuple[str, Sequence[Any]]],
    baseline: Any = None,
    target: Any = None,
) -> str:
    """A KPI's values per period (one line, or one per side), with the agreed baseline and target.

    ``lines`` are (name, values) with one value (or None) per label. Empty
    string when there is no value to draw.
    """
    data = _kpi_data(unit, labels, lines, baseline, target)
    if not any(v is not None for _, values in data["lines"] for v in values):
        return ""
    return _cached("kpi", data, _draw_kpi)


def kpi_chart_data_uri(**kwargs: Any) -> str:
    return data_uri(kpi_chart(**kwargs))


# -- finance: planned against actual per period, and gain shares ------------------
# Amounts arrive as Decimal and are keyed as text, so the cache key is exact;
# only the drawing turns them into floats, for the axes.


def _draw_books(data: dict[str, Any]) -> str:
    labels, books = data["labels"], data["books"]
    xs = list(range(len(labels)))
    styles = {"customer": (CUSTOMER_COLOUR, "o"), "provider": (PROVIDER_COLOUR, "s")}
    with _LOCK, matplotlib.rc_context(_RC):
        figure = Figure(figsize=(7.0, 3.4), layout="constrained")
        ax = figure.add_subplot()
        for side, name, planned, actual in books:
            colour, marker = styles.get(side, (MUTED_COLOUR, "^"))
            ax.plot(
                xs, [float(v) for v in planned], color=colour, linestyle="--", linewidth=1.5, label=f"{name}: planned"
            )
            ax.plot(
                xs,
                [float(v) for v in actual],
                color=colour,
                linestyle="-",
                linewidth=2,
                marker=marker,
                markersize=4,
                markeredgecolor=TEXT_COLOUR,
                markeredgewidth=0.6,
                label=f"{name}: actual",
            )
        step = max(1, len(labels) // 12)
        ax.set_xticks(xs[::step], labels[::step], rotation=45, ha="right")
        ax.yaxis.grid(True, color=GRID_COLOUR, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_ylabel(data["currency"])
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False, fontsize=8)
        return _svg(figure)


def books_chart(
    labels: Sequence[str], books: Sequence[tuple[str, str, Sequence[Any], Sequence[Any]]], currency: str
) -> str:
    """Planned (dashed) against actual (solid) per period for each book the member reads.

    ``books`` holds (side, name, planned per period, actual per period), the
    amounts Decimal. Empty string when there is nothing to draw.
    """
    if not labels or not books:
        return ""
    data = {
        "labels": list(labels),
        "currency": currency,
        "books": [
            [side, name, [str(v) for v in planned], [str(v) for v in actual]] for side, name, planned, actual in books
        ],
    }
    return _cached("books", data, _draw_books)


def _draw_gainshare(data: dict[str, Any]) -> str:
    labels, customer, provider = data["labels"], data["customer"], data["provider"]
    xs = list(range(len(labels)))
    with _LOCK, matplotlib.rc_context(_RC):
        figure = Figure(figsize=(7.0, 3.2), layout="constrained")
        ax = figure.add_subplot()
        width = 0.4
        ax.bar(
            [x - width / 2 for x in xs],
            [float(v) for v in customer],
            width,
            color=CUSTOMER_COLOUR,
            edgecolor=TEXT_COLOUR,
            linewidth=0.6,
            label="Customer's share",
        )
        ax.bar(
            [x + width / 2 for x in xs],
            [float(v) for v in provider],
            width,
            color=PROVIDER_COLOUR,
            edgecolor=TEXT_COLOUR,
            linewidth=0.6,
            hatch="//",
            label="Provider's share",
        )
        ax.axhline(0, color=TEXT_COLOUR, linewidth=0.8)
        step = max(1, len(labels) // 12)
        ax.set_xticks(xs[::step], labels[::step], rotation=45, ha="right")
        ax.yaxis.grid(True, color=GRID_COLOUR, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_ylabel(data["currency"])
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False)
        return _svg(figure)


def gainshare_chart(labels: Sequence[str], customer: Sequence[Any], provider: Sequence[Any], currency: str) -> str:
    """Each party's gain (above zero) or pain (below) per period, side by side."""
    if not labels:
        return ""
    data = {
        "labels": list(labels),
        "currency": currency,
        "customer": [str(v) for v in customer],
        "provider": [str(v) for v in provider],
    }
    return _cached("gainshare", data, _draw_gainshare)
