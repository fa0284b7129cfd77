"""Forms of order entry (订单采集) and reported demand (需求提报): validation of input only;
the limits are checked and the orders written by `entry.order_submit`, demand by
`supply.services.demand_report_set`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import groupby
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tobacco_crm.products.choices import PriceClass
from tobacco_crm.products.models import Product

# A sanity bound on one line (40 cases), against a slipped finger, not a business rule: the
# limits are the plan's.
MAX_LINE_CARTONS = 10_000
CARTONS_INPUT = {"inputmode": "numeric", "min": "0", "class": "cartons", "placeholder": "0"}


def product_label(product: Product) -> str:
    return str(
        _("%(product)s · %(price)s 元/条") % {"product": product, "price": product.wholesale_price}
    )


def grouped_choices(products: Iterable[Product]) -> list[Any]:
    """Select options grouped by price class (一类 first), as Django's nested choices."""
    choices: list[Any] = [("", _("— 选择规格 —"))]
    for price_class, group in groupby(products, key=lambda p: p.price_class):
        label = PriceClass(price_class).label if price_class in PriceClass.values else "—"
        choices.append((label, [(p.pk, product_label(p)) for p in group]))
    return choices


class OrderEntryForm(forms.Form):
    """A weekly order on a phone: one cartons input per limited product (the week's plan's
    products, shown with their limits), then `rows` free rows of product + cartons for the
    other products. `products` holds every product a posted id may name (a product stopped
    since the form was shown gets the service's refusal with its reason, not "invalid
    choice"). A blank or 0 input orders nothing. After validation `lines` holds the
    (product, cartons) pairs, limited products first."""

    client_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        limited: Sequence[Product],
        others: Sequence[Product],
        products: Mapping[int, Product],
        rows: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.products = products
        self.lines: list[tuple[Product, int]] = []
        self.limited_names: dict[int, str] = {}
        for product in limited:
            name = f"limited_{product.pk}"
            self.fields[name] = forms.IntegerField(
                label=str(product),
                required=False,
                min_value=0,
                max_value=MAX_LINE_CARTONS,
                widget=forms.NumberInput(attrs=CARTONS_INPUT),
            )
            self.limited_names[product.pk] = name
        choices = grouped_choices(others)
        self.row_names: list[tuple[str, str]] = []
        for index in range(rows):
            product_name, cartons_name = f"product_{index}", f"cartons_{index}"
            self.fields[product_name] = forms.IntegerField(
                label=_("规格"), required=False, widget=forms.Select(choices=choices)
            )
            self.fields[cartons_name] = forms.IntegerField(
                label=_("订购量（条）"),
                required=False,
                min_value=0,
                max_value=MAX_LINE_CARTONS,
                widget=forms.NumberInput(attrs=CARTONS_INPUT),
            )
            self.row_names.append((product_name, cartons_name))

    def limited_field(self, product_id: int) -> forms.BoundField | None:
        name = self.limited_names.get(product_id)
        return self[name] if name else None

    @property
    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[p], self[c]) for p, c in self.row_names]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lines: dict[int, tuple[Product, int]] = {}
        for limited_id, name in self.limited_names.items():
            if data.get(name):
                lines[limited_id] = (self.products[limited_id], data[name])
        for product_name, cartons_name in self.row_names:
            product_id: int | None = data.get(product_name)
            cartons: int | None = data.get(cartons_name)
            if product_id is None and not cartons:
                continue
            if product_id is None:
                self.add_error(product_name, _("请选择规格。"))
                continue
            product = self.products.get(product_id)
            if product is None:
                self.add_error(product_name, _("没有这个规格。"))
                continue
            if not cartons:
                if cartons_name not in self.errors:
                    self.add_error(cartons_name, _("请填写订购量。"))
                continue
            if product_id in lines:
                self.add_error(product_name, _("同一规格只能填写一行。"))
                continue
            lines[product_id] = (product, cartons)
        if not lines and not self.errors:
            raise forms.ValidationError(_("请至少填写一种规格的订购量。"))
        self.lines = list(lines.values())
        return data


class DemandForm(forms.Form):
    """One cartons input per product (field ``p<product id>``), prefilled with what was
    reported. A blank input leaves the report as it is; 0 reports no demand."""

    def __init__(
        self, *args: Any, products: Sequence[Product], values: Mapping[int, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.values = values
        self.products = {p.pk: p for p in products}
        for product in products:
            self.fields[f"p{product.pk}"] = forms.IntegerField(
                label=str(product),
                required=False,
                min_value=0,
                max_value=MAX_LINE_CARTONS,
                initial=values.get(product.pk),
                widget=forms.NumberInput(attrs=CARTONS_INPUT),
            )

    def changed(self) -> list[tuple[Product, int]]:
        """(product, cartons) of the filled inputs whose value differs from the report."""
        out = []
        for name, value in self.cleaned_data.items():
            product_id = int(name[1:])
            if value is not None and self.values.get(product_id) != value:
                out.append((self.products[product_id], value))
        return out
