"""The static HTML report (``alliance-ledger report``): one self-contained page to mail.

``build.py`` collects what the page shows through the :class:`ledger.Ledger` API and renders it;
``model.py`` and ``lifelines.py`` are its data model; ``charts.py`` (money), ``timeline.py``,
``rights.py``, ``deals.py`` (partnerships, agreements), ``cases.py`` (legal actions) and
``people.py`` (roles) draw it, the last four through ``lanes.py``/``lifecharts.py``;
``palette.py`` gives every legend entry its own look and ``chartkit.py`` holds what every chart
shares (font, layout, window, escaping of user text)."""

from ledger.report.build import build_report

__all__ = ["build_report"]
