"""Order entry screens (built next)."""

urlpatterns: list = []
