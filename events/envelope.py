"""The envelope every event travels in (SPEC §3) and the bases of the type-specific payloads."""

from __future__ import annotations

from typing import ClassVar

from pydantic import model_validator

from events.grammar import Certainty
from events.primitives import EventId, Frozen, FuzzyDate, ShortText, Slug, Source

INPUT_KEYS = ("id", "type", "effective_date", "stream", "certainty", "source", "recorded_by", "corrects", "data")
"""The keys of an input event document, in canonical order (what is hashed, before the recording)."""


class Envelope(Frozen):
    """Fields common to every event. Recording fields (position, time, hash) are added by the
    store, never here. Each event type is a subclass with a fixed ``type`` and its ``data``."""

    type: str  # each event type narrows it to its own name (a Literal with that default)
    id: EventId | None = None
    effective_date: FuzzyDate
    stream: Slug = "main"
    certainty: Certainty = Certainty.reported
    source: Source | None = None
    recorded_by: ShortText | None = None
    corrects: EventId | None = None


class Data(Frozen):
    """Base of the type-specific payloads."""

    amends: ClassVar[bool] = False
    """Amendment payloads keep explicit nulls (null clears a field; an absent field is unchanged)."""

    @classmethod
    def key_field(cls) -> str:
        return next(iter(cls.model_fields))


class Amendment(Data):
    """Base of the *Amended payloads. Their rules live here, not on :class:`Data`, so the other
    payloads (95% of events) pay no Python call per event for them."""

    amends: ClassVar[bool] = True
    not_clearable: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _amendment_rules(self) -> Amendment:
        given = self.model_fields_set - {self.key_field()}
        if not given:
            raise ValueError("an amendment must name at least one field to change")
        for name in self.not_clearable:
            if name in given and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be cleared (null); give a new value")
        return self
