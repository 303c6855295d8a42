"""Pure projections of the ledger: fold stored events (plain dicts) into the state document.

Imports only :mod:`events` and the standard library, does no I/O and reads no clock, so the
same events and query always give the same, byte-identical JSON (SPEC §2, §5).
"""

from projections.entities import STAKE_TYPES
from projections.explain import explain_item
from projections.fold import DATA_FORMAT, DISPATCH, Folder, FoldError, finish_item, finish_stored, fold
from projections.sections import FIELDS, KEY_FIELDS, PARTY_FIELDS, SECTIONS, STATUSES, item_key, parse_key
from projections.select import check_query, gc_paused, removed_ids, select_events, select_ordered
from projections.views import diff_states, filter_active, filter_party

__all__ = [
    "DATA_FORMAT", "DISPATCH", "FIELDS", "FoldError", "KEY_FIELDS", "PARTY_FIELDS", "SECTIONS", "STAKE_TYPES", "STATUSES", "Folder", "check_query", "gc_paused",
    "diff_states", "explain_item", "filter_active", "filter_party", "finish_item", "finish_stored", "fold", "item_key", "parse_key",
    "removed_ids", "select_events", "select_ordered",
]
