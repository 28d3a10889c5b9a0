"""The JSON API: the same reads and actions as the pages, behind the same sign-in.

``GET /api/entries`` returns exactly what ``radar entries list --format json`` prints.
Without a session every call answers 401. Actions are ``POST
/api/entries/{id}/{action}`` with a JSON object of the form's fields and the
session's CSRF token in the ``X-CSRF-Token`` header (``GET /api/me`` hands it out).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from flows.web.actions import error_status, perform
from flows.web.deps import CurrentUser, check_csrf, csrf_token, get_register
from flows.web.views import overview
from register_client import Register, RegisterError

__all__ = ["router"]

router = APIRouter(prefix="/api")
RegisterDep = Annotated[Register, Depends(get_register)]


@router.get("/me")
def me(request: Request, user: CurrentUser) -> dict[str, Any]:
    """Who is signed in, their role and groups, and the CSRF token for actions."""
    return {**user.model_dump(mode="json"), "csrf_token": csrf_token(request)}


@router.get("/entries", response_model=None)
def list_entries(
    _user: CurrentUser, register: RegisterDep, status: str | None = None
) -> JSONResponse:
    """Return the entries, as ``radar entries list --format json`` prints them."""
    try:
        return JSONResponse([e.to_json() for e in register.list(status=status)])
    except RegisterError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)


@router.get("/entries/{entry_id}", response_model=None)
def show_entry(entry_id: str, _user: CurrentUser, register: RegisterDep) -> JSONResponse:
    """One entry, as ``radar entries show ID --format json`` prints it."""
    try:
        return JSONResponse(register.get(entry_id).to_json())
    except RegisterError as exc:
        return JSONResponse({"error": str(exc)}, status_code=error_status(exc))


@router.post("/entries/{entry_id}/{action}", response_model=None)
async def act(
    request: Request, entry_id: str, action: str, user: CurrentUser, register: RegisterDep
) -> JSONResponse:
    """Run one triage action; answer with the entry afterwards, or the register's error."""
    check_csrf(request, request.headers.get("x-csrf-token"))
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return JSONResponse({"error": "expected a JSON object of fields"}, status_code=400)
    fields = {k: "" if v is None else str(v) for k, v in body.items()}
    try:
        entry = perform(register, user, entry_id, action, fields)
    except RegisterError as exc:
        return JSONResponse({"error": str(exc)}, status_code=error_status(exc))
    return JSONResponse(entry.to_json())


@router.get("/overview")
def overview_json(_user: CurrentUser, register: RegisterDep) -> dict[str, Any]:
    """Return counts by status and kind, overdue entry ids and the latest verdicts."""
    view = overview(register.list(), register.now(), register.last_scanned())
    return {
        "as_of": view.as_of.isoformat() if view.as_of else None,
        "by_status": dict(view.by_status),
        "by_kind": dict(view.by_kind),
        "overdue": [e.id for e in view.overdue],
        "verdicts": [
            {"id": e.id, "verdict": v, "value": value, "at": at.isoformat()}
            for e, v, value, at in view.verdicts
        ],
    }
