"""The catalog-driven operator: an operator class names one catalog operation and a hook.

Every documented parameter of the operation becomes a keyword argument and a template field of
the same snake_case name, checked (after rendering) before any request. Listing operators page
for the user, up to ``max_items``; results are plain JSON values, safe for XCom.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseOperator

from airflow_provider_mediajobs.catalog.params import invalid

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_mediajobs.catalog.model import Operation
    from airflow_provider_mediajobs.hooks.base import MediaJobsBaseHook

@functools.cache
def reserved_names() -> frozenset[str]:
    """Names an operator argument must not take: BaseOperator's own attributes and arguments."""
    return frozenset(dir(BaseOperator)) | frozenset(inspect.signature(BaseOperator.__init__).parameters)


def resolve_hook_class(hook: type[MediaJobsBaseHook] | str) -> type[MediaJobsBaseHook]:
    """Import a hook class given by dotted path (or return the class)."""
    if not isinstance(hook, str):
        return hook
    module, _, name = hook.rpartition(".")
    cls: type[MediaJobsBaseHook] = getattr(importlib.import_module(module), name)
    return cls


# Paging parameters are driven by the pager, not by the DAG author.
_PAGING_ARGS = frozenset({"next_token", "page_no"})


class CatalogOperator(BaseOperator):
    """Call one catalog operation and return its result as the XCom value.

    :param conn_id: the Airflow connection id (vendor subclasses take it under the hook's
        ``conn_name_attr``).
    :param max_items: for listings, stop after this many items (default: all).
    :param kwargs: the operation's documented parameters (snake_case) and BaseOperator's.
    """

    operation: ClassVar[Operation]
    hook_class: ClassVar[type[MediaJobsBaseHook] | str]
    """The hook, or its dotted path: a path keeps the hook (and HTTP stack) out of DAG parsing."""
    template_fields: Sequence[str] = ()
    ui_color = "#e8f4fd"

    renamed: ClassVar[Mapping[str, str]] = {}
    """Catalog argument -> operator argument, for names BaseOperator already owns (``task_id``)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "operation" in cls.__dict__:
            clash = sorted(set(cls.api_args()) & reserved_names())
            if clash:
                # e.g. IMM's TaskId / TaskType and MTS's Output: BaseOperator owns task_id,
                # task_type and output, so the operator must expose them under other names.
                raise TypeError(f"{cls.__name__}: rename {clash} in `renamed`; BaseOperator owns these names")
            cls.template_fields = tuple(cls.api_args())

    @classmethod
    def api_args(cls) -> list[str]:
        """The operator arguments that carry the operation's parameters."""
        return [cls.renamed.get(a, a) for a in cls.operation.args if a not in _PAGING_ARGS]

    def __init__(self, *, conn_id: str, max_items: int | None = None, **kwargs: Any) -> None:
        api_values = {arg: kwargs.pop(arg, None) for arg in self.api_args()}
        super().__init__(**kwargs)
        self.conn_id = conn_id
        self.max_items = max_items
        if max_items is not None and self.operation.paging is None:
            raise invalid("max_items", f"left unset: {self.operation.name} does not list", max_items)
        for arg, value in api_values.items():
            setattr(self, arg, value)

    def api_arguments(self) -> dict[str, Any]:
        """The rendered values, under the catalog's argument names."""
        return {
            arg: getattr(self, self.renamed.get(arg, arg)) for arg in self.operation.args if arg not in _PAGING_ARGS
        }

    def get_hook(self) -> MediaJobsBaseHook:
        """The vendor hook for ``conn_id``."""
        return resolve_hook_class(self.hook_class)(self.conn_id)

    def execute(self, context: Context) -> Any:
        """Check the arguments, call the vendor and return a JSON-serializable result."""
        arguments = self.api_arguments()
        # Check before building the hook: a bad argument never costs a connection lookup.
        self.operation.bind(arguments, self.renamed)
        hook = self.get_hook()
        if self.operation.paging is not None:
            items = hook.paginate(self.operation, self.max_items, **arguments)
            self.log.info("%s returned %d items", self.operation.name, len(items))
            return items
        return self.shape_result(hook.call(self.operation, **arguments), context)

    def shape_result(self, response: dict[str, Any], context: Context) -> Any:
        """Turn the response into the XCom value (the whole response by default)."""
        return response
