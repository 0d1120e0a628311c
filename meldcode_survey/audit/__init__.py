"""The audit log: who did what to which object, and when.

The service or admin that does a thing records it: `audit.record(user, action,
obj=None, **details)`, or for admin edits the hooks of admin_hooks.py. Only
logins, logouts, failed logins and lockouts come in through signals.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from meldcode_survey.accounts.access import AnyUser

    from .models import AuditEntry


def record(
    user: AnyUser | None, action: str, obj: object = None, **details: Any
) -> AuditEntry:
    """Add one entry to the audit log and return it.

    `user` may be None or anonymous (system jobs, failed logins); `details` must
    be JSON-serialisable and should never hold narrative text or passwords.
    """
    from .services import record_entry

    return record_entry(user, action, obj, details)
