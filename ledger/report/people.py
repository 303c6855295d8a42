"""The roles section of the HTML report: who held which role in which organization, and when.

One lane per (person, organization, role), grouped by organization and role so that the people
who held a role follow each other (OpenAI's CEO: Sam Altman, removed on 2023-11-17 and
reinstated on 2023-11-21; the interim CEOs in between). A role is active from an appointment
and ended by a removal or resignation; each change is a mark (▲ appointed, ✕ removed or
resigned), so a removal of a few days stays visible where its bar is too thin to see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ledger.report.chartkit import esc
from ledger.report.lifecharts import lane_label, lifeline_figure, lines_of

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from ledger.report.lifelines import Lifeline, Period
    from ledger.report.model import ReportData, TimelineEvent


def role_label(line: Lifeline) -> str:
    item = line.item
    return lane_label(item["person"], f"{item['role']} · {item['organization']}")


def role_details(line: Lifeline, period: Period) -> list[str]:
    item = period.item
    return lines_of(f"{esc(item['person'])} as {esc(item['role'])} of {esc(item['organization'])}",
                    f"last change: <b>{esc(item.get('change'))}</b>")


def change_mark(ev: TimelineEvent) -> str:
    return "appointed" if ev.data.get("change") == "appointed" else "removed or resigned"


def roles_figure(data: ReportData) -> go.Figure:
    return lifeline_figure(data, "roles", data.lifelines["roles"], role_label, role_details, change_mark)
