"""The pages: inbox, entry, overview, their plots and Data Docs, and the action forms.

Each action is one form post: it runs the register's triage call as the signed-in
user, then redirects to the entry page (post/redirect/get). A refusal (lifecycle,
validation, role, a stale version) re-renders the entry page with the register's
one-line error and writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from flows.web.actions import ACTIONS, error_status, perform
from flows.web.deps import CurrentUser, check_csrf, csrf_token, get_register
from flows.web.render import render_page
from flows.web.views import Filters, docs_link, inbox, overview, resolve, slice_text
from register_client import CLOSURE_CODES, STATUSES, Entry, EntryNotFound, Register, RegisterError

__all__ = ["page", "router"]

router = APIRouter()
RegisterDep = Annotated[Register, Depends(get_register)]


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with what every page needs: the CSRF token and a one-time flash."""
    flash = request.session.pop("flash", None)
    context.setdefault("user", None)
    html = render_page(name, request=request, csrf=csrf_token(request), flash=flash, **context)
    return HTMLResponse(html, status_code=status)


@router.get("/", response_class=HTMLResponse)
def inbox_page(
    request: Request,
    user: CurrentUser,
    register: RegisterDep,
    status: str = "new",
    kind: str = "",
    owner: str = "",
    kpi: str = "",
    slice: str = "",
    q: str = "",
) -> HTMLResponse:
    """Show the inbox: entries by priority and expected benefit, filtered."""
    everything = register.list()
    filters = Filters(status=status, kind=kind, owner=owner, kpi=kpi, slice=slice, q=q)
    choices = {
        "status": ["all", *STATUSES],
        "kind": sorted({e.kind for e in everything}),
        "owner": sorted({e.owner for e in everything if e.owner}),
        "kpi": sorted({e.kpi.name for e in everything}),
    }
    return page(
        request,
        "inbox.html",
        user=user,
        entries=inbox(everything, filters),
        filters=filters,
        choices=choices,
        slice_text=slice_text,
    )


def _entry_context(request: Request, entry: Entry) -> dict[str, Any]:
    project: Path = request.app.state.project_dir
    gate = entry.source.get("gate") or {}
    followed = (entry.progress_detail or {}).get("plot")
    return {
        "entry": entry,
        "data": entry.to_json(),
        "slice": slice_text(entry.dimensions),
        "plot_src": f"/entries/{entry.id}/plot.png"
        if resolve(project, entry.evidence_plot)
        else None,
        "follow_src": f"/entries/{entry.id}/follow-up.png" if resolve(project, followed) else None,
        "docs_href": docs_link(project, request.app.state.docs_dir, gate.get("docs_path")),
        "closure_codes": CLOSURE_CODES,
    }


@router.get("/entries/{entry_id}", response_class=HTMLResponse)
def entry_page(
    request: Request, entry_id: str, user: CurrentUser, register: RegisterDep
) -> HTMLResponse:
    """One entry: baseline, target, current value, plot, measurements, provenance, audit."""
    try:
        entry = register.get(entry_id)
    except EntryNotFound as exc:
        return page(request, "error.html", 404, user=user, message=str(exc))
    return page(
        request,
        "entry.html",
        user=user,
        may_act=user.may_act_on_entry(entry),
        actions=ACTIONS,
        **_entry_context(request, entry),
    )


def _plot(request: Request, register: Register, entry_id: str, follow_up: bool) -> Response:
    try:
        entry = register.get(entry_id)
    except EntryNotFound as exc:
        return Response(str(exc), status_code=404, media_type="text/plain")
    stored = (entry.progress_detail or {}).get("plot") if follow_up else entry.evidence_plot
    path = resolve(request.app.state.project_dir, stored)
    if path is None:
        return Response(f"{entry.id} has no plot on disk", status_code=404, media_type="text/plain")
    return FileResponse(path, media_type="image/png")


@router.get("/entries/{entry_id}/plot.png")
def evidence_plot(
    request: Request, entry_id: str, _user: CurrentUser, register: RegisterDep
) -> Response:
    """Serve the entry's frozen evidence plot."""
    return _plot(request, register, entry_id, follow_up=False)


@router.get("/entries/{entry_id}/follow-up.png")
def follow_up_plot(
    request: Request, entry_id: str, _user: CurrentUser, register: RegisterDep
) -> Response:
    """Serve the entry's latest follow-up plot: baseline band, target and measurements."""
    return _plot(request, register, entry_id, follow_up=True)


@router.post("/entries/{entry_id}/{action}", response_model=None)
async def act(
    request: Request, entry_id: str, action: str, user: CurrentUser, register: RegisterDep
) -> Response:
    """Run one triage action from its form; redirect to the entry, or show the refusal."""
    form = await request.form()
    fields = {k: str(v) for k, v in form.items()}
    check_csrf(request, fields.get("csrf_token"))
    try:
        entry = perform(register, user, entry_id, action, fields)
    except RegisterError as exc:
        try:
            current = register.get(entry_id)
        except EntryNotFound:
            return page(request, "error.html", 404, user=user, message=str(exc))
        return page(
            request,
            "entry.html",
            error_status(exc),
            user=user,
            may_act=user.may_act_on_entry(current),
            actions=ACTIONS,
            error=str(exc),
            **_entry_context(request, current),
        )
    request.session["flash"] = (
        f"{entry.id}: {ACTIONS[action].label.lower()} done, now {entry.status}"
    )
    return RedirectResponse(f"/entries/{entry.id}", status_code=303)


@router.get("/overview", response_class=HTMLResponse)
def overview_page(request: Request, user: CurrentUser, register: RegisterDep) -> HTMLResponse:
    """Show counts by status and kind, overdue entries, follow-up verdicts."""
    return page(
        request,
        "overview.html",
        user=user,
        view=overview(register.list(), register.now(), register.last_scanned()),
    )


@router.get("/data-docs/{path:path}")
def data_docs(request: Request, path: str, _user: CurrentUser) -> Response:
    """Serve the gate's Data Docs site, behind the same sign-in."""
    project: Path = request.app.state.project_dir
    docs: Path = request.app.state.docs_dir
    root = (docs if docs.is_absolute() else project / docs).resolve()
    target = (root / path).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return Response("no such Data Docs page (older pages are pruned)", status_code=404)
    return FileResponse(target)
