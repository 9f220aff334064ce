"""Server-side SVG charts of the targets, the same on screen and in the printed monthly report.

Series differ by shade, dash pattern and printed values, so that a grey-scale printout
still tells them apart; the SVG carries no script.
"""
from __future__ import annotations

import re
import sys
from functools import lru_cache

import pygal
from markupsafe import Markup
from pygal.style import Style

# pygal appends a meta-path finder for its pygal.maps plugins that has no find_spec, so every
# later failed import (e.g. an optional-dependency probe) raises ImportWarning
# (pygal/__init__.py, PluginImportFixer). We use no map plugins: take the finder out again.
sys.meta_path[:] = [finder for finder in sys.meta_path
                    if type(finder).__name__ != "PluginImportFixer"]

FONT = '"Noto Sans CJK SC", "SimHei", sans-serif'
# Black to light grey: distinguishable when printed without colour.
GREYS = ("#000000", "#555555", "#8c8c8c", "#2b2b2b", "#6e6e6e", "#a8a8a8")
DASHES = ("0", "8, 4", "2, 3", "12, 4, 2, 4", "4, 4", "1, 6")
STYLE = Style(
    font_family=FONT,
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#000000",
    foreground_strong="#000000",
    foreground_subtle="#bbbbbb",
    colors=GREYS,
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=11,
    value_font_size=10,
    title_font_size=13,
    stroke_opacity=1,
    opacity=1,
    opacity_hover=1,
)
# pygal takes 10-40 ms a chart, and every load of a dashboard draws the same figures again:
# the drawings of the latest inputs are kept (a chart depends on nothing but its input).
KEPT_CHARTS = 64
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>|<script\b[^>]*/>", re.S)
# The shares drawn in the trend chart, with their Chinese names.
TREND_SERIES = (
    ("committee", "业委会（物管会）覆盖率"),
    ("service", "专业化服务或自治覆盖率"),
    ("hazards", "楼道堆物清理率"),
    ("arrears", "欠费清缴率"),
    ("cases", "案件按期办结率"),
    ("satisfaction", "业主满意率"),
)
# The coverage bars: the first two of them.
COVERAGE_SERIES = TREND_SERIES[:2]


def _config(**options) -> dict:
    return dict(style=STYLE, js=[], disable_xml_declaration=True, explicit_size=True,
                legend_at_bottom=True, legend_at_bottom_columns=3, show_y_guides=True,
                range=(0, 100), include_x_axis=True,
                value_formatter=lambda v: "" if v is None else f"{v:.1f}%") | options


def _svg(chart) -> Markup:
    # pygal always embeds its tooltip script (pygal/svg.py add_scripts); printouts and the
    # inline page need none of it.
    return Markup(SCRIPT.sub("", chart.render(is_unicode=True)))


def trend_chart(points: list[dict], title: str = "近12个月目标完成率走势（%）") -> Markup:
    """One line per share over the months of `points` (from `models.targets.trend`)."""
    return _trend_svg(tuple(p["month"][2:].replace("-", "/") for p in points),
                      tuple(tuple(None if p[key] is None else float(p[key]) for p in points)
                            for key, _ in TREND_SERIES), title)


@lru_cache(maxsize=KEPT_CHARTS)
def _trend_svg(months: tuple, series: tuple, title: str) -> Markup:
    chart = pygal.Line(**_config(width=760, height=380, title=title, dots_size=3,
                                 x_label_rotation=0, truncate_legend=-1))
    chart.x_labels = list(months)
    for index, ((_, name), values) in enumerate(zip(TREND_SERIES, series)):
        chart.add(name, list(values), allow_interruptions=True,
                  stroke_style={"width": 2.2, "dasharray": DASHES[index]})
    return _svg(chart)


def coverage_chart(communities: list[dict], title: str = "各社区覆盖率（%）") -> Markup:
    """Bars per community: owners' committee coverage and professional/self-managed coverage."""
    return _coverage_svg(tuple(row["name"] for row in communities),
                         tuple(tuple(None if row["figures"][key]["percent"] is None
                                     else float(row["figures"][key]["percent"])
                                     for row in communities) for key, _ in COVERAGE_SERIES),
                         title)


@lru_cache(maxsize=KEPT_CHARTS)
def _coverage_svg(names: tuple, series: tuple, title: str) -> Markup:
    chart = pygal.Bar(**_config(width=760, height=340, title=title, print_values=True,
                                print_values_position="top", truncate_label=-1))
    chart.x_labels = list(names)
    for (_, name), values in zip(COVERAGE_SERIES, series):
        chart.add(name, list(values))
    return _svg(chart)
