"""Schemas of the consumer query API (/api/v1/public/…). Field names are English; docs/portal.md
maps each to the Chinese name of the consumer query data set it serves (药品追溯消费者查询 …)."""

# ruff: noqa: N815 - API field names are camelCase

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class ProducerOut(Schema):
    name: str  # 生产企业 / 主体名称
    nameEn: str = ""
    filingStatus: str  # 备案状态
    filingStatusLabel: str
    filingNumber: str = ""  # 备案号
    country: str = ""


class ProductOut(Schema):
    gtin: str = ""  # 商品条码
    name: str  # 产品名称 / 药品通用名
    nameEn: str = ""
    brand: str = ""  # 品牌
    category: str = ""  # 类别
    specification: str = ""  # 规格
    sectors: list[str]
    attributes: dict[str, Any]  # 批准文号, 剂型, 原产国, 产区 …


class DocumentOut(Schema):
    kind: str
    label: str
    number: str  # 证明编号


class StepOut(Schema):
    time: datetime  # 时间
    step: str  # 环节 (CBV bizStep)
    stepLabel: str
    place: str = ""  # 地点
    district: str = ""  # 区县
    holder: str = ""  # 经营主体
    documents: list[DocumentOut]
    inspections: list[list[str]]  # (检测项目, 结果)


class RecallOut(Schema):
    recallId: str
    reason: str  # 召回原因
    declaredAt: datetime  # 召回时间


class LookupsOut(Schema):
    count: int  # 查询次数
    firstAt: datetime | None = None  # 首次查询时间


class DrugQueryOut(Schema):
    """The drug consumer query set (药品追溯消费者查询): docs/portal.md lists the Chinese names."""

    drugGenericName: str = ""  # 药品通用名
    dosageForm: str = ""  # 剂型
    specification: str = ""  # 制剂规格 / 包装规格
    approvalNumber: str = ""  # 批准文号
    marketingAuthorizationHolder: str = ""  # 上市许可持有人
    manufacturer: str = ""  # 生产企业
    productionDate: str = ""  # 生产日期
    expiryDate: str = ""  # 有效期至
    batchNumber: str = ""  # 生产批号
    traceCode: str = ""  # 药品追溯码
    dispensed: bool = False  # 是否已售出 (已核销)


class CodeOut(Schema):
    code: str  # 追溯码 (as printed)
    key: str
    kind: str  # serial, lot, product, sscc, gln, grai, platform
    digitalLink: str = ""
    pageUrl: str
    product: ProductOut | None = None
    producer: ProducerOut | None = None
    lot: str = ""  # 批号
    productionDate: str = ""  # 生产日期
    expiryDate: str = ""  # 有效期
    origin: StepOut | None = None  # 产地 / 来源
    chain: list[StepOut]  # 追溯链
    certificates: list[DocumentOut]  # 检验检疫证明、合格证 …
    recall: RecallOut | None = None  # 召回
    lookups: LookupsOut
    warnings: list[str]  # already_sold, never_commissioned …
    drug: DrugQueryOut | None = None
