"""Validate BODS files with libcovebods, the Open Ownership validator, offline.

Three reports, the ones ``libcovebods jsv``, ``pv`` and ``af`` print: JSON Schema errors
(with format checks: dates, URIs), the standard's additional (normative) checks, and fields
the schema does not define. libcovebods downloads the org-id.guide list of identifier schemes
when its checks start (even for 0.4, where ``LegacyChecks`` still applies); there is no network
here, so that list is given as empty. It is only consulted for ``identifiers``, which the
ledger's export never writes (``validate`` checks that too), so nothing is hidden by it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import libcovebods.additionalfields
import libcovebods.config
import libcovebods.data_reader
import libcovebods.jsonschemavalidate
import libcovebods.run_tasks
import libcovebods.schema
import libcovebods.tasks.checks.legacy_checks as legacy_checks
import libcovebods.tasks.checks.record_based_checks as record_checks


def _no_download(*_: Any, **__: Any) -> list[str]:
    return []


legacy_checks.get_orgids_prefixes = _no_download
record_checks.get_orgids_prefixes = _no_download


def validate(path: Path) -> dict[str, Any]:
    """{"version", "schema_errors", "additional_checks", "additional_fields", "identifiers"} for a file."""
    reader = libcovebods.data_reader.DataReader(str(path))
    config = libcovebods.config.LibCoveBODSConfig()
    schema = libcovebods.schema.SchemaBODS(reader, config)
    errors = [e.json() for e in libcovebods.jsonschemavalidate.JSONSchemaValidator(schema).validate(reader)]
    checks = libcovebods.run_tasks.process_additional_checks(reader, config, schema, libcovebods.run_tasks.TASK_CLASSES)
    extra = libcovebods.additionalfields.AdditionalFields(schema).process(reader)
    statements = json.loads(path.read_text())
    identifiers = sum(1 for s in statements if (s.get("recordDetails") or {}).get("identifiers"))
    return {"version": schema.schema_version, "schema_errors": errors,
            "additional_checks": checks["additional_checks"], "additional_fields": extra, "identifiers": identifiers}
