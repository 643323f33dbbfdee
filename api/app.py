"""The API as a FastAPI application of its own, mounted at /api by the composition root:
/api/v1/…, the OpenAPI description at /api/openapi.json and Swagger UI at /api/docs.

Swagger UI is served from this process (the swagger-ui-bundle-v2 package), not from a
CDN, and its page runs no inline script: it loads /api/docs/init.js. So /api/docs works
under a Content-Security-Policy of `script-src 'self'`; its own answer says so."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from domain.service import Services

from .errors import install_error_handlers
from .rate_limit import ApiRateLimits
from .routes import router
from .timing import ServerTiming

SWAGGER_DIR = Path(swagger_ui_bundle.swagger_ui_path)
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
DOCS_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Aval API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
"""
DOCS_INIT = """window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: false,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
"""
DESCRIPTION = (
    "Aval's public API. Authenticate with a personal access token (`Authorization: Bearer aval_pat_…`), "
    "made on your profile page (/agent/profile or /portal/profile); it acts with your rights at the "
    "moment of each call. Errors are JSON `{error, message}` with the message in the language of "
    "`Accept-Language` (pt-BR or en)."
)


def create_api(services: Services, *, default_locale: str, rate_limits: ApiRateLimits) -> FastAPI:
    api = FastAPI(
        title="Aval API",
        version="1",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        # The root path tells the description where it is mounted (servers: [{url: /api}]).
        root_path_in_servers=True,
    )
    api.state.services = services
    api.state.default_locale = default_locale
    api.state.rate_limits = rate_limits
    install_error_handlers(api)
    api.include_router(router)

    @api.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_HTML, headers={"Content-Security-Policy": DOCS_CSP})

    @api.get("/docs/init.js", include_in_schema=False)
    def docs_init() -> Response:
        return Response(DOCS_INIT, media_type="text/javascript")

    api.mount("/docs/assets", StaticFiles(directory=SWAGGER_DIR), name="swagger-assets")
    api.add_middleware(ServerTiming)
    return api
