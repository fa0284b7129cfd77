"""WSGI entry point (production uses tobacco_crm.settings.production via the environment)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tobacco_crm.settings.dev")
application = get_wsgi_application()
