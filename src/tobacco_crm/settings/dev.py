"""Development settings: SQLite under var/ unless DATABASE_URL says otherwise."""

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = True
VAR_DIR.mkdir(parents=True, exist_ok=True)
ALLOWED_HOSTS = ["*"]
