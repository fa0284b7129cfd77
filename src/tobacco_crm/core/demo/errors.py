"""Why a demo build cannot go ahead."""


class DemoError(Exception):
    """The demo cannot be built as asked."""


class DemoDataExists(DemoError):
    """The database already holds retailers."""
