"""The seeds/ files as data: reading and checking their records, and the figures the city
quoted (seeds/figures.yaml), which have no model. The loader of the facts is demo/seeding.py;
the dashboard reads the quoted figures from here, so no app depends on the demo app."""

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings

from jinchang.formats import YI

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
CENT = Decimal("0.01")


class SeedDataError(Exception):
    """A seed file is missing, malformed, or refers to something it does not define."""


def yi_to_wan(value) -> Decimal:
    """An amount the sources quote in 亿元, in the 万元 the ledger keeps."""
    return (Decimal(str(value)) * YI).quantize(CENT)


def read_seed(name: str, seeds_dir: Path | None = None) -> list[dict]:
    path = Path(seeds_dir or SEEDS_DIR) / name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SeedDataError(f"{path}: 找不到种子文件。") from exc
    except yaml.YAMLError as exc:
        raise SeedDataError(f"{path}: YAML 格式错误：{exc}") from exc
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise SeedDataError(f"{path}: 应为记录列表（每条一个映射）。")
    return data


def article_files(seeds_dir: Path | None = None) -> set[str]:
    return {r["file"] for r in read_seed("sources.yaml", seeds_dir)}


class Records:
    """Checks each record of one file: known keys only, required keys present, and a source
    that names one of the articles (so a typo never loads silently)."""

    def __init__(self, name: str, seeds_dir: Path | None, allowed: set[str], required: set[str]):
        self.name = name
        self.records = read_seed(name, seeds_dir)
        self.articles = article_files(seeds_dir)
        self.allowed = allowed | required | {"source"}
        self.required = required | {"source"}

    def __iter__(self):
        for i, record in enumerate(self.records, 1):
            self.check(record, f"{self.name} 第{i}条")
            yield record

    def check(self, record: dict, where: str, allowed=None, required=None) -> None:
        """Check one record; nested ones (links, outputs) pass their own keys."""
        allowed = (allowed or self.allowed) | {"source"}
        required = (required or self.required) | {"source"}
        unknown = set(record) - allowed
        if unknown:
            raise SeedDataError(f"{where}: 未知字段 {sorted(unknown)}")
        missing = {k for k in required if record.get(k) in (None, "")}
        if missing:
            raise SeedDataError(f"{where}: 缺少字段 {sorted(missing)}")
        check_source(record["source"], where, self.articles)


def check_source(source: str, where: str, articles: set[str]) -> None:
    if not any(str(source).startswith(f) for f in articles):
        raise SeedDataError(f"{where}: source 须以来源文章文件名开头（{sorted(articles)}）。")


# --- the figures the city quoted ---------------------------------------------------------


@dataclass(frozen=True)
class QuotedFigure:
    key: str
    label: str
    value: Decimal
    unit: str
    start: date | None
    end: date | None
    source: str
    yoy_amount: Decimal | None = None  # 亿元
    yoy_rate: Decimal | None = None  # %

    @property
    def in_wan(self) -> Decimal | None:
        """The value in 万元 when it is an amount in 亿元 (to compare with the ledger)."""
        return yi_to_wan(self.value) if self.unit == "亿元" else None


def _dec(value):
    return None if value is None else Decimal(str(value))


@functools.cache
def _read_figures(seeds_dir: str) -> dict[str, QuotedFigure]:
    records = Records(
        "figures.yaml",
        Path(seeds_dir),
        {"period", "yoy_amount", "yoy_rate"},
        {"key", "label", "value", "unit"},
    )
    figures = {}
    for r in records:
        period = r.get("period") or {}
        figures[r["key"]] = QuotedFigure(
            key=r["key"],
            label=r["label"],
            value=_dec(r["value"]),
            unit=r["unit"],
            start=period.get("start"),
            end=period.get("end"),
            source=r["source"],
            yoy_amount=_dec(r.get("yoy_amount")),
            yoy_rate=_dec(r.get("yoy_rate")),
        )
    return figures


def quoted_figures(seeds_dir: Path | None = None) -> dict[str, QuotedFigure]:
    """The figures the city reported, by key (seeds/figures.yaml), e.g.
    `quoted_figures()["funds_in_place_2025_ytd"].in_wan == Decimal("1532900.00")`."""
    return dict(_read_figures(str(seeds_dir or SEEDS_DIR)))
