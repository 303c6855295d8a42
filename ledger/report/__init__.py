"""The static HTML report (``alliance-ledger report``): one self-contained page to mail.

``build.py`` collects what the page shows through the :class:`ledger.Ledger` API and renders it;
``model.py`` is its data model; ``charts.py``, ``timeline.py`` and ``rights.py`` draw it."""

from ledger.report.build import build_report

__all__ = ["build_report"]
