"""Test settings: fast hashing, the same databases as dev (DATABASE_URL or SQLite)."""

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = False
VAR_DIR.mkdir(parents=True, exist_ok=True)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
