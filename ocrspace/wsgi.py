"""WSGI entry point (the platform normally runs under ASGI; see asgi.py)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocrspace.settings")
application = get_wsgi_application()
