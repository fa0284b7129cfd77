"""Serializers of the product catalogue API."""

from __future__ import annotations

from rest_framework import serializers

from tobacco_crm.core.api import choice_label

from ..models import Product


class ProductSerializer(serializers.ModelSerializer):
    """A cigarette product, prices per carton (条)."""

    price_class_display = choice_label("price_class")
    status_display = choice_label("status")

    class Meta:
        model = Product
        fields = [
            "id", "code", "brand", "name", "price_class", "price_class_display",
            "wholesale_price", "retail_price", "status", "status_display",
        ]  # fmt: skip
        read_only_fields = fields
