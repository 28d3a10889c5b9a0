"""Mirror the register into Jira Cloud or ServiceNow CIM, and pull triage decisions back.

Contract
--------
* Configured under ``sync:`` in the scan YAML (:class:`flows.config.SyncSpec`); credentials come
  from ``RADAR_JIRA_USER`` + ``RADAR_JIRA_TOKEN``, ``RADAR_SERVICENOW_USER`` +
  ``RADAR_SERVICENOW_PASSWORD`` or ``RADAR_SERVICENOW_TOKEN``, never from the YAML.
* :func:`sync_register` runs one sync: the register's outbox
  (:class:`register_client.SyncOutbox`) is the truth about which external records
  exist, so a killed, retried or concurrent sync never creates one twice.
* Status changes made in the external tool come back as triage actions audited
  under the external user's name.
"""

from flows.sync.engine import SyncReport, sync_register
from flows.sync.http import SyncAuthError, SyncError, SyncUncertain

__all__ = [
    "SyncAuthError",
    "SyncError",
    "SyncReport",
    "SyncUncertain",
    "sync_register",
]
