"""The product catalogue API: read-only for every signed-in user."""

from __future__ import annotations

from rest_framework import viewsets

from ..models import Product
from .serializers import ProductSerializer


class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    """Products; filter by status, price class and brand, search code, name and brand."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_fields = ["status", "price_class", "brand"]
    search_fields = ["code", "name", "brand"]
    ordering_fields = ["code", "brand", "price_class", "wholesale_price", "retail_price"]
