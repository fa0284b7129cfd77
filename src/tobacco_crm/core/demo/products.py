"""The demo product catalogue: about sixty cigarette products (卷烟规格) in all five price
classes.

Prices are per carton (条). The retail price is ten times the pack price the table gives
(close to recent public prices, illustrative, not a price list); the wholesale price the
company charges retailers is 88.5 % of it, rounded to the yuan (a retailer margin of about
11.5 %). The price class (价类) follows the wholesale price per carton with bounds that are the
national allocation-price bounds (100 / 70 / 30 / 16.5 元 per carton) times 1.35, the usual
ratio of the commercial wholesale price to the allocation price:

    一类 >= 135, 二类 95-135, 三类 40-95, 四类 22-40, 五类 < 22 (元 per carton, wholesale)

Popularity is a relative weekly volume; the demo's baskets (orders.py) weigh it with the
retailer's premium index. Statuses: a few scarce (紧俏) premium products, cultivated brands
(重点培育: Sichuan's 娇子 and 宽窄 lines and a few others), new products launched a few weeks
before the last demo week and two products stopped (停供) some weeks before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

PRICE_CLASS_FLOORS: tuple[tuple[int, int], ...] = ((1, 135), (2, 95), (3, 40), (4, 22), (5, 0))
WHOLESALE_RATIO = Decimal("0.885")


def price_class_of(wholesale_per_carton: Decimal) -> int:
    """The price class (1 the most expensive) of a wholesale price per carton."""
    for price_class, floor in PRICE_CLASS_FLOORS:
        if wholesale_per_carton >= floor:
            return price_class
    return 5


@dataclass(frozen=True)
class ProductSpec:
    brand: str
    name: str
    pack_price: Decimal  # suggested retail price per pack
    price_class: int  # declared; must equal price_class_of(wholesale_price)
    popularity: float
    status: str = "normal"
    launched_weeks_ago: int | None = None  # new products: weeks before the last demo week
    stopped_weeks_ago: int | None = None  # stopped products: weeks before the last demo week

    @property
    def retail_price(self) -> Decimal:
        return (self.pack_price * 10).quantize(Decimal("0.01"))

    @property
    def wholesale_price(self) -> Decimal:
        return (
            (self.retail_price * WHOLESALE_RATIO).quantize(Decimal("1")).quantize(Decimal("0.01"))
        )

    @property
    def wholesale_cents(self) -> int:
        return int(self.wholesale_price * 100)


def _p(
    brand: str, name: str, pack: str, price_class: int, popularity: float, status: str = "normal",
    *, launched: int | None = None, stopped: int | None = None,
) -> ProductSpec:  # fmt: skip
    return ProductSpec(
        brand, name, Decimal(pack), price_class, popularity, status, launched, stopped
    )


CATALOGUE: tuple[ProductSpec, ...] = (
    # 一类
    _p("中华", "硬", "45", 1, 1.35, "scarce"),
    _p("中华", "软", "65", 1, 0.54, "scarce"),
    _p("中华", "双中支", "50", 1, 0.45, "scarce"),
    _p("玉溪", "软", "23", 1, 1.35),
    _p("玉溪", "中支和谐", "30", 1, 0.36, "new", launched=9),
    _p("芙蓉王", "硬", "25", 1, 0.99),
    _p("黄鹤楼", "软蓝", "19", 1, 0.9),
    _p("黄鹤楼", "硬天下名楼", "30", 1, 0.32),
    _p("利群", "阳光", "20", 1, 0.54),
    _p("云烟", "软珍品", "22", 1, 0.81),
    _p("娇子", "宽窄如意", "20", 1, 0.72, "cultivated"),
    _p("娇子", "格调细支", "16", 1, 0.68, "cultivated"),
    _p("贵烟", "国酒香30", "30", 1, 0.36),
    _p("天子", "千里江山", "100", 1, 0.14, "scarce"),
    _p("苏烟", "五星红杉树", "25", 1, 0.27),
    _p("南京", "九五", "100", 1, 0.09),
    # 二类
    _p("利群", "新版", "14", 2, 2.56),
    _p("云烟", "紫", "11", 2, 2.4),
    _p("黄鹤楼", "硬金砂", "14", 2, 0.8),
    _p("娇子", "宽窄好运", "12", 2, 2.4, "cultivated"),
    _p("娇子", "X", "15", 2, 1.28),
    _p("贵烟", "跨越", "14", 2, 1.12),
    _p("真龙", "海韵", "13", 2, 0.64),
    _p("天子", "金", "14", 2, 0.8),
    _p("南京", "红", "12", 2, 1.28),
    _p("长白山", "777", "13", 2, 0.8),
    _p("黄山", "红方印", "13", 2, 0.72),
    _p("双喜", "硬经典", "13", 2, 0.64),
    _p("红塔山", "大经典", "12", 2, 0.96, "new", launched=4),
    # 三类
    _p("红塔山", "硬经典", "10", 3, 4),
    _p("红塔山", "软经典", "7", 3, 2.2),
    _p("云烟", "小熊猫家园", "8", 3, 2),
    _p("娇子", "蓝时代", "10", 3, 3.5, "cultivated"),
    _p("娇子", "软阳光", "7", 3, 2.5, "cultivated"),
    _p("红河", "软甲", "6", 3, 2),
    _p("白沙", "精品", "7", 3, 2.4),
    _p("红双喜", "硬", "7", 3, 1.5),
    _p("利群", "软红长嘴", "10", 3, 1.8),
    _p("黄金叶", "帝豪", "8", 3, 1.2),
    _p("长白山", "红", "8", 3, 1),
    _p("七匹狼", "白", "7", 3, 0.9),
    _p("真龙", "甲天下", "7", 3, 1),
    _p("贵烟", "福", "8", 3, 1.3),
    _p("红金龙", "硬神州", "6", 3, 1.1),
    _p("钻石", "硬红", "7", 3, 0.8, "stopped", stopped=6),
    _p("天子", "红", "9", 3, 1),
    _p("宽窄", "平安", "10", 3, 1.5, "new", launched=16),
    # 四类
    _p("红梅", "黄", "4", 4, 3.25),
    _p("红河", "硬", "4", 4, 2.08),
    _p("大前门", "短支", "4", 4, 1.95),
    _p("红金龙", "软蓝", "4", 4, 1.56),
    _p("哈德门", "精品", "4", 4, 1.56),
    _p("黄果树", "长征", "4", 4, 2.34),
    _p("白沙", "软", "3.5", 4, 1.3),
    _p("五叶神", "金", "4.2", 4, 0.78, "stopped", stopped=12),
    _p("娇子", "软红", "3.5", 4, 1.82, "cultivated"),
    # 五类
    _p("红金龙", "硬红", "2.3", 5, 1.44),
    _p("大前门", "软", "2.2", 5, 1.26),
    _p("哈德门", "纯味", "2", 5, 0.9),
    _p("红梅", "软", "2.4", 5, 1.08),
)


def product_code(index: int) -> str:
    """Demo product codes are DEMO-001 ..: they never collide with real barcodes, so `--flush`
    can find the demo products by code."""
    return f"DEMO-{index + 1:03d}"


DEMO_PRODUCT_CODES: tuple[str, ...] = tuple(product_code(i) for i in range(len(CATALOGUE)))
