"""Chinese person names, shop names, mobile phones and license numbers for the demo.

- Person names: a surname drawn by its frequency in Sichuan (李, 王, 张, 刘, 陈 ... and local
  ones such as 敬, 苟, 鲜), then one given-name character (a quarter of the people) or two,
  from a male or a female pool.
- Shop names follow the format: groceries are 副食店 / 小卖部 / 便民店 ..., tobacco-and-liquor
  shops 烟酒店 / 名烟名酒 ..., entertainment 茶楼 / 棋牌室 ...; the stem is the owner
  (老王, 张嬢嬢, 陈记), a lucky word (鑫源, 福满多) or the place (北街, 青龙村). Same-legal-person
  chains are branches of the chains named in seed 002 (兴客隆超市(人民路店)); same-name
  individual chains share one name.
- Mobile phones: eleven digits, a real mainland prefix (13x-19x), unique within the build.
- License numbers (许可证号): the county's six-digit administrative code and a unique
  six-digit serial, twelve digits as the default RETAILER_LICENSE_PATTERN expects.
- Territory names: the township most of a territory's retailers belong to (芦溪片区), or for
  the county seat the side of town (城东, 城南, 城西, 城北, 城中), numbered in Chinese when a
  name repeats (城北一片区, 城北二片区).
"""

from __future__ import annotations

import math

import numpy as np

from .geography import SANTAI, seat_offsets_km

SURNAMES: tuple[tuple[str, float], ...] = (
    ("李", 7.5), ("王", 6.5), ("张", 6.0), ("刘", 5.5), ("陈", 5.5), ("杨", 4.5), ("黄", 3.0),
    ("赵", 2.5), ("周", 2.5), ("吴", 2.5), ("罗", 2.5), ("何", 2.3), ("邓", 2.0), ("谢", 1.6),
    ("唐", 1.6), ("曾", 1.5), ("冯", 1.3), ("蒋", 1.3), ("胡", 1.3), ("彭", 1.2), ("雷", 1.1),
    ("袁", 1.1), ("徐", 1.1), ("苟", 0.8), ("文", 0.8), ("熊", 0.8), ("向", 0.7), ("任", 0.8),
    ("杜", 0.8), ("郭", 0.8), ("马", 0.7), ("朱", 0.8), ("林", 0.6), ("高", 0.7), ("梁", 0.6),
    ("宋", 0.6), ("郑", 0.6), ("肖", 0.8), ("田", 0.6), ("董", 0.5), ("邱", 0.5), ("廖", 0.7),
    ("蔡", 0.5), ("余", 0.7), ("叶", 0.4), ("程", 0.4), ("魏", 0.5), ("吕", 0.4), ("丁", 0.4),
    ("沈", 0.3), ("姚", 0.4), ("卢", 0.5), ("钟", 0.6), ("谭", 0.6), ("范", 0.5), ("汪", 0.3),
    ("石", 0.5), ("贾", 0.3), ("付", 0.6), ("侯", 0.4), ("龙", 0.4), ("秦", 0.3), ("尹", 0.4),
    ("严", 0.3), ("敬", 0.3), ("鲜", 0.2), ("蒲", 0.3), ("赖", 0.3), ("游", 0.3), ("岳", 0.2),
)  # fmt: skip

MALE_CHARS = (
    "建国明伟强军平华林波勇斌杰涛超刚辉鹏磊洪志福德成文春海东兵俊亮宇浩云贵良荣祥学中光永发"
    "富全友忠兴安庆正明武松柏川江山"
)
FEMALE_CHARS = "英芳秀兰丽琴敏静燕霞玉红梅萍娟莉琼蓉素珍凤桂艳慧婷雪晓春群莲翠容秋菊琳佳欣月清淑"

GROCERY_SUFFIXES = ("副食店", "小卖部", "便民店", "商店", "百货", "食杂店", "日杂店", "综合商店")
FORMAT_SUFFIXES: dict[str, tuple[str, ...]] = {
    "Z": GROCERY_SUFFIXES,
    "B": ("便利店", "便利店", "便利超市"),
    "C": ("超市", "平价超市", "生活超市", "购物中心"),
    "S": ("商场", "百货商场", "购物广场"),
    "Y": ("烟酒店", "名烟名酒", "烟酒行", "烟酒商行", "烟酒副食"),
    "F": ("茶楼", "茶馆", "棋牌室", "台球室", "网吧", "宾馆", "农家乐"),
    "Q": ("饭店", "冷饮店", "水果店", "五金店", "报刊亭", "加油站"),
}
LUCKY_WORDS = (
    "兴旺", "鑫源", "福满多", "好又多", "万家福", "顺发", "惠民", "金鑫", "聚福", "和顺", "家家乐",
    "佳佳", "富民", "利民", "诚信", "平价", "祥和", "幸福", "红星", "新世纪", "百姓", "宏达",
    "金源", "永兴", "昌盛", "满意", "开心", "福来", "康乐", "天天", "邻里", "同心", "新星",
    "富源", "源丰", "隆发", "合兴", "吉祥", "如意", "一家亲", "万福", "大众", "友谊", "信达",
)  # fmt: skip
OWNER_NICKNAMES = ("老{}", "{}姐", "{}哥", "{}嬢嬢", "小{}", "{}记")
CHAIN_BRANDS = ("兴客隆", "中联", "信得利")  # same-legal-person chains named in seed 002
SAME_NAME_BRANDS = ("佳惠", "万家乐", "好邻居")
CHAIN_SUFFIXES = {"B": "便利店", "C": "超市", "S": "购物广场"}

MOBILE_PREFIXES = (
    "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159",
    "172", "178", "182", "183", "184", "187", "188", "198", "130", "131", "132", "145", "155",
    "156", "166", "175", "176", "185", "186", "133", "149", "153", "173", "177", "180", "181",
    "189", "199",
)  # fmt: skip


def _pick(rng: np.random.Generator, pool: tuple[str, ...] | str, size: int) -> np.ndarray:
    return np.asarray(list(pool), dtype=object)[rng.integers(0, len(pool), size=size)]


def surnames(rng: np.random.Generator, size: int) -> np.ndarray:
    names = np.asarray([s for s, _ in SURNAMES], dtype=object)
    weights = np.asarray([w for _, w in SURNAMES])
    return names[rng.choice(names.size, size=size, p=weights / weights.sum())]


def person_names(
    rng: np.random.Generator, size: int, family: np.ndarray | None = None
) -> list[str]:
    """Full names; `family` gives the surnames when they are already drawn."""
    family = surnames(rng, size) if family is None else family
    female = rng.random(size) < 0.5
    two_chars = rng.random(size) < 0.75
    first = np.where(female, _pick(rng, FEMALE_CHARS, size), _pick(rng, MALE_CHARS, size))
    second = np.where(female, _pick(rng, FEMALE_CHARS, size), _pick(rng, MALE_CHARS, size))
    given = np.where(two_chars, first + second, first)
    return (family + given).tolist()


def shop_names(
    rng: np.random.Generator,
    *,
    formats: np.ndarray,
    chain_types: np.ndarray,
    family: np.ndarray,
    places: np.ndarray,
    branches: np.ndarray,
) -> list[str]:
    """One shop name per retailer.

    formats: business format codes; chain_types: chain type codes; family: the owners'
    surnames; places: a short place name (street, village or town) for place-based names;
    branches: the branch name a chain shop carries (its street or town).
    """
    size = formats.size
    style = rng.choice(3, size=size, p=[0.4, 0.35, 0.25])  # owner, lucky word, place
    nickname = rng.integers(0, len(OWNER_NICKNAMES), size=size)
    lucky = _pick(rng, LUCKY_WORDS, size)
    suffix_draw = rng.random(size)
    chain_brand = rng.integers(0, len(CHAIN_BRANDS), size=size)
    same_name = rng.integers(0, len(SAME_NAME_BRANDS), size=size)
    names: list[str] = []
    for i in range(size):
        fmt = str(formats[i])
        chain = chain_types[i]
        if chain == "same_legal_person":
            names.append(
                f"{CHAIN_BRANDS[chain_brand[i]]}{CHAIN_SUFFIXES.get(fmt, '超市')}({branches[i]}店)"
            )
            continue
        if chain == "same_name":
            names.append(f"{SAME_NAME_BRANDS[same_name[i]]}{CHAIN_SUFFIXES.get(fmt, '超市')}")
            continue
        suffixes = FORMAT_SUFFIXES[fmt]
        suffix = suffixes[int(suffix_draw[i] * len(suffixes))]
        if style[i] == 0:
            stem = OWNER_NICKNAMES[nickname[i]].format(family[i])
        elif style[i] == 1:
            stem = lucky[i]
        else:
            stem = places[i]
        names.append(f"{stem}{suffix}")
    return names


def mobile_phones(rng: np.random.Generator, size: int) -> list[str]:
    """Unique mainland mobile numbers (1[3-9] and nine more digits)."""
    prefixes = np.asarray([int(p) for p in MOBILE_PREFIXES], dtype=np.int64)
    numbers = prefixes[rng.integers(0, prefixes.size, size)] * 10**8 + rng.integers(0, 10**8, size)
    # Redraw the (rare) duplicates until every number is unique; deterministic for the rng.
    while True:
        _, first = np.unique(numbers, return_index=True)
        duplicate = np.ones(size, dtype=bool)
        duplicate[first] = False
        if not duplicate.any():
            break
        count = int(duplicate.sum())
        numbers[duplicate] = prefixes[rng.integers(0, prefixes.size, count)] * 10**8 + (
            rng.integers(0, 10**8, count)
        )
    return [str(number) for number in numbers.tolist()]


MAX_LICENSE_SERIALS = 10**6


def license_numbers(rng: np.random.Generator, size: int, area_code: str) -> list[str]:
    """Unique twelve-digit license numbers: area code and a random six-digit serial."""
    if size > MAX_LICENSE_SERIALS:
        raise ValueError(f"At most {MAX_LICENSE_SERIALS - 1} license numbers per area code.")
    serials = rng.choice(MAX_LICENSE_SERIALS - 1, size=size, replace=False) + 1
    return [f"{area_code}{serial:06d}" for serial in serials.tolist()]


_DIGITS = "零一二三四五六七八九"


def chinese_number(value: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (1 to 999)."""
    if not 1 <= value <= 999:
        return str(value)
    hundreds, rest = divmod(value, 100)
    tens, ones = divmod(rest, 10)
    text = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        text += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and ones:
        text += "零"
    if ones:
        text += _DIGITS[ones]
    return text


def territory_names(
    *,
    territory: np.ndarray,
    town: np.ndarray,
    latitude: np.ndarray,
    longitude: np.ndarray,
    territories: int,
) -> list[str]:
    """Each territory is named after the town most of its retailers belong to: a township
    (芦溪片区), or for the county seat the side of town its seat retailers lie on (城东, 城南,
    城西, 城北, or 城中 within 600 m of the centre); numbered (城北一片区, 城北二片区) when a name
    repeats."""
    north, east = seat_offsets_km(latitude, longitude)
    bases = []
    for index in range(territories):
        members = territory == index
        towns = town[members]
        dominant = int(np.bincount(towns).argmax()) if towns.size else 0
        if dominant:
            bases.append(SANTAI.townships[dominant - 1].short_name)
            continue
        in_seat = members & (town == 0)
        dn, de = float(north[in_seat].mean()), float(east[in_seat].mean())
        if math.hypot(dn, de) < 0.6:
            bases.append("城中")
        elif abs(de) >= abs(dn):
            bases.append("城东" if de > 0 else "城西")
        else:
            bases.append("城北" if dn > 0 else "城南")
    totals = {base: bases.count(base) for base in bases}
    seen: dict[str, int] = {}
    result = []
    for base in bases:
        seen[base] = seen.get(base, 0) + 1
        number = chinese_number(seen[base]) if totals[base] > 1 else ""
        result.append(f"{base}{number}片区")
    return result
