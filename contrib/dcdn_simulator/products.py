"""The products the simulator plays on one port, one row each: the API
version that names it, its host and code in error answers, its RAM service,
its actions, and what RAM checks a call against.  Adding a product is a row
here and its handlers."""

import dataclasses
import typing

from .actions import ACTIONS, CDN_ACTIONS, call_domains
from .esa import ESA_ACTIONS, call_sites
from .ram import RAM_SERVICES, RamService


@dataclasses.dataclass(frozen=True)
class Product:
    name: str                   # "dcdn", "cdn", "esa": the scenario's "product"
    version: str
    host: str                   # HostId of its error answers
    code: str                   # product= of the error answers' Recommend link
    ram: RamService
    actions: typing.Mapping[str, typing.Callable]
    throttle_code: typing.Optional[str] = None  # its own flow-control code; None: --throttle-code

    def resources(self, action: str, params: dict, scenario):
        """(RAM resources, names a domain grant compares or None: the same)."""
        if self.ram.kind == "site":
            return call_sites(action, params, scenario)
        return call_domains(action, params, self.ram.resource_actions), None


PRODUCTS = {p.version: p for p in (
    Product("dcdn", "2018-01-15", "dcdn.aliyuncs.com", "Dcdn", RAM_SERVICES["dcdn"], ACTIONS),
    # CDN documents its flow control as Throttling, HTTP 503.
    Product("cdn", "2018-05-10", "cdn.aliyuncs.com", "Cdn", RAM_SERVICES["cdn"], CDN_ACTIONS, "Throttling"),
    Product("esa", "2024-09-10", "esa.cn-hangzhou.aliyuncs.com", "ESA", RAM_SERVICES["esa"], ESA_ACTIONS),
)}
DCDN = PRODUCTS["2018-01-15"]
