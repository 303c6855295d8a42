"""``alliance-ledger serve``: the HTTP API and the web explorer (SPEC §10).

An ASGI application (FastAPI) over the public :class:`ledger.Ledger` API only: it never reaches
the store or SQL, so every answer is the one the library and the CLI give. Importing this
package imports FastAPI; the CLI does so only inside the ``serve`` command.
"""

from ledger.server.app import create_app

__all__ = ["create_app"]
