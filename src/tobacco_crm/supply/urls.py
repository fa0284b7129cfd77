"""Supply screens (built next)."""

urlpatterns: list = []
