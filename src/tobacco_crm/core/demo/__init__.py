"""The deterministic demo county behind `tobacco-crm demo`.

A county tobacco company (三台县, Sichuan: see geography.py) with one territory per customer
manager, retailers placed along roads and in town centres with the census shares of seed 002
(census.py, archive.py), about sixty products in the five price classes (products.py) and
weekly orders with each retailer's level, trend and season, including the Spring Festival peak
on its lunar date (orders.py). Everything is drawn from NumPy generators seeded by
(seed, purpose[, chunk]), so a seed gives the same county on every run and every database;
builder.py writes it in one transaction.

Modules: geography (places, territories), census (the shares and how they are blended),
names (people, shops, phones, license numbers, territory names), archive (retailer records
and demand parameters), products (the catalogue), orders (weekly orders); then the database
side: builder (the build), logins (the demo accounts), flush (deleting the demo data), errors.
"""

from .builder import DemoOptions, DemoResult, build_demo
from .errors import DemoDataExists, DemoError
from .flush import flush_demo
from .logins import DEMO_PASSWORD, LoginRow, demo_logins

__all__ = [
    "DEMO_PASSWORD",
    "DemoDataExists",
    "DemoError",
    "DemoOptions",
    "DemoResult",
    "LoginRow",
    "build_demo",
    "demo_logins",
    "flush_demo",
]
