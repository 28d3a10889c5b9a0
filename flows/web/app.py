"""The triage web app: sign-in, the inbox, entry pages, actions, the overview and the API.

Server-rendered pages with forms and redirects. Sessions are signed cookies
(Starlette's ``SessionMiddleware``, ``SameSite=Lax``) and every form carries the
session's CSRF token. Routes reach the register only through ``Depends(get_register)``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.middleware.sessions import SessionMiddleware

from flows.web.api import router as api_router
from flows.web.deps import (
    CsrfError,
    SignInRequired,
    check_csrf,
    get_register,
    start_session,
)
from flows.web.pages import page
from flows.web.pages import router as pages_router
from register_client import Register, SignInPolicy, SignInRefused

__all__ = ["create_app"]


def _login_routes(app: FastAPI) -> None:
    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/", reason: str = "") -> HTMLResponse:
        return page(request, "login.html", next=_safe_next(next), error=reason or None)

    @app.post("/login", response_model=None)
    def login(
        request: Request,
        register: Annotated[Register, Depends(get_register)],
        name: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "/",
    ) -> Response:
        check_csrf(request, csrf_token)
        client = request.client.host if request.client else None
        policy: SignInPolicy = request.app.state.sign_in_policy
        try:
            user = register.authenticate(name, password, client=client, policy=policy)
        except SignInRefused as exc:
            status = 429 if exc.retry_after else 401
            return page(request, "login.html", status, next=_safe_next(next), error=str(exc))
        start_session(request, user)
        return RedirectResponse(_safe_next(next), status_code=303)

    @app.post("/logout")
    def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> RedirectResponse:
        check_csrf(request, csrf_token)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)


def _safe_next(target: str) -> str:
    """Only redirect to a path of this app after sign-in, never to another site."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    def sign_in(request: Request, exc: SignInRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc)}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        reason = f"&reason={quote(exc.reason)}" if exc.reason else ""
        return RedirectResponse(f"/login?next={quote(target)}{reason}", status_code=303)

    @app.exception_handler(CsrfError)
    def forged(request: Request, exc: CsrfError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc)}, status_code=403)
        return page(request, "error.html", 403, message=f"refused: {exc}")


def create_app(
    register: Register,
    *,
    secret: str,
    project_dir: Path | None = None,
    docs_dir: Path = Path(".radar/data_docs"),
    session_ttl: timedelta = timedelta(hours=8),
    https_only: bool = False,
    sign_in_policy: SignInPolicy | None = None,
) -> FastAPI:
    """Build the app around an open register.

    Parameters
    ----------
    register : Register
        The register every route uses (see :func:`flows.web.deps.open_existing`).
    secret : str
        Signs the session cookies; keep it stable across restarts.
    project_dir : Path, optional
        Where relative plot and Data Docs paths start; default the current directory.
    docs_dir : Path
        The Data Docs site served under ``/data-docs/``.
    session_ttl : timedelta, default 8 hours
        How long a sign-in lasts.
    https_only : bool, default False
        Mark the cookie ``Secure`` (behind TLS).
    sign_in_policy : SignInPolicy, optional
        The throttle on failed sign-ins.
    """
    app = FastAPI(title="Improvement Radar", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.register = register
    app.state.project_dir = (project_dir or Path.cwd()).resolve()
    app.state.docs_dir = docs_dir
    app.state.session_ttl = int(session_ttl.total_seconds())
    app.state.sign_in_policy = sign_in_policy or SignInPolicy()
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="radar_session",
        max_age=int(session_ttl.total_seconds()) or None,
        same_site="lax",
        https_only=https_only,
    )
    _handlers(app)
    _login_routes(app)
    app.include_router(pages_router)
    app.include_router(api_router)
    return app
