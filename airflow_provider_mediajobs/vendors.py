"""Who each vendor is to Airflow, stated once: its connection type, the attribute and default id of
its connection, its hook, and the module name its hooks, operators, sensors and triggers share.

The hooks, the operators and sensors (which must not import a hook at DAG parse), the triggers
and the provider info all read these records. Standard library only: this is imported at DAG
parse and by the provider manager.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Literal


def load_class(path: str) -> Any:
    """The class (or any attribute) a dotted path names: ``package.module.Name``.

    :param path: the module's dotted name, a dot, and the attribute.
    :raises ImportError: the module or the attribute does not exist.
    """
    module, _, name = path.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except AttributeError:
        raise ImportError(f"{module} has no attribute {name!r}") from None


@dataclass(frozen=True)
class Vendor:
    """One cloud vendor as this provider's Airflow side sees it.

    :param name: ``alibaba`` or ``tencent``: the module name under ``hooks/``, ``operators/``,
        ``sensors/`` and ``triggers/``, and the catalog's :attr:`Service.vendor`.
    :param integration: the integration name Airflow lists.
    :param conn_type: the connection type.
    :param conn_name_attr: the argument (and attribute) that holds the connection id on hooks,
        operators and sensors.
    :param default_conn_id: the connection id used when none is given.
    :param hook_class_name: the hook class, in the vendor's ``hooks`` module.
    :param default_region: the region used when the connection names none.
    """

    name: Literal["alibaba", "tencent"]
    integration: str
    conn_type: str
    conn_name_attr: str
    default_conn_id: str
    hook_class_name: str
    default_region: str

    def module(self, layer: str) -> str:
        """The dotted name of this vendor's module in ``layer`` (``hooks``, ``operators``...)."""
        return f"{__package__}.{layer}.{self.name}"

    @property
    def hook_path(self) -> str:
        """The hook's dotted path (what provider info and lazy imports name)."""
        return f"{self.module('hooks')}.{self.hook_class_name}"

    def hook_class(self) -> Any:
        """The hook class, imported on first use (never at DAG parse)."""
        return load_class(self.hook_path)


ALIBABA = Vendor(
    name="alibaba",
    integration="Alibaba Cloud Media (ICE, MTS, IMM)",
    conn_type="alibaba_cloud_media",
    conn_name_attr="alibaba_cloud_media_conn_id",
    default_conn_id="alibaba_cloud_media_default",
    hook_class_name="AlibabaCloudMediaHook",
    default_region="cn-shanghai",
)

TENCENT = Vendor(
    name="tencent",
    integration="Tencent Cloud CI",
    conn_type="tencent_cloud_ci",
    conn_name_attr="tencent_cloud_ci_conn_id",
    default_conn_id="tencent_cloud_ci_default",
    hook_class_name="TencentCloudCIHook",
    default_region="ap-beijing",
)

VENDORS = (ALIBABA, TENCENT)
