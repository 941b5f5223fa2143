"""ASGI entry point for uvicorn: `uvicorn nervetjek.web.asgi:app`."""

from nervetjek.web.app import create_app

app = create_app()
