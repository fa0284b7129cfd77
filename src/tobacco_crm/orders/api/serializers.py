"""Serializers of the orders API."""

from __future__ import annotations

from rest_framework import serializers

from tobacco_crm.core.api import MaskedCharField, choice_label
from tobacco_crm.core.masking import license_no_for

from ..models import Order, OrderLine


class OrderLineSerializer(serializers.ModelSerializer):
    """One product of an order, in cartons (条)."""

    product_code = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.__str__", read_only=True)

    class Meta:
        model = OrderLine
        fields = ["id", "product", "product_code", "product_name", "cartons", "amount"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    """An order with its retailer's identity (license number masked as for the retailer) and
    its lines. (One shape for list and detail: lines are prefetched, so a page of orders
    costs three queries whatever its size.)"""

    retailer_license_no = MaskedCharField(
        source="retailer.license_no", mask=license_no_for, read_only=True
    )
    retailer_shop_name = serializers.CharField(source="retailer.shop_name", read_only=True)
    status_display = choice_label("status")
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id", "retailer", "retailer_license_no", "retailer_shop_name", "order_date",
            "status", "status_display", "total_cartons", "total_amount", "created_at", "lines",
        ]  # fmt: skip
        read_only_fields = fields
