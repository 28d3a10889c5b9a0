"""The faces of the register beyond the terminal: the web app, the report, notifications.

* ``radar web`` serves :func:`flows.web.app.create_app`: sign-in with roles, the
  inbox, entry pages with their plots and evidence, triage actions, an overview
  and a JSON API, all through the register's own triage API.
* ``radar report`` writes one self-contained HTML file (:mod:`flows.web.report`).
* After a scan, :func:`flows.web.notify.notify_filed` posts new and regressed
  entries to a webhook.

Importing this package is cheap: the app's modules (FastAPI) load only when used.
"""

from flows.web.notify import notify_filed

__all__ = ["notify_filed"]
