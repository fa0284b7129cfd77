"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

from decimal import Decimal

import factory

from tobacco_crm.accounts.choices import Role
from tobacco_crm.accounts.models import Company, Territory, User
from tobacco_crm.products.models import Product
from tobacco_crm.retailers.models import Retailer


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.CUSTOMER_MANAGER
    password = factory.django.Password("pass12345")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("code",)

    code = "HX"
    name = "华县烟草专卖局（分公司）"


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    company = factory.SubFactory(CompanyFactory)
    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"第{n}片区")
    customer_manager = factory.SubFactory(UserFactory, role=Role.CUSTOMER_MANAGER)


class RetailerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Retailer

    license_no = factory.Sequence(lambda n: f"{510000000000 + n:012d}")
    shop_name = factory.Sequence(lambda n: f"便民商店{n}号")
    owner_name = factory.Sequence(lambda n: f"张{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    address = factory.Sequence(lambda n: f"城关镇人民路{n}号")
    latitude = Decimal("30.570000")
    longitude = Decimal("104.060000")
    business_format = "Z"
    market_type = "C"
    scale = 2
    class_code = factory.LazyAttribute(lambda o: f"{o.market_type}{o.business_format}{o.scale}")
    territory = factory.SubFactory(TerritoryFactory)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{n:04d}")
    brand = "娇子"
    name = factory.Sequence(lambda n: f"规格{n}")
    price_class = 3
    wholesale_price = Decimal("100.00")
    retail_price = Decimal("120.00")
