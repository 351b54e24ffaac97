"""The catalog-driven operator: an operator class names one catalog operation and a hook.

Every documented parameter of the operation becomes a keyword argument and a template field of
the same snake_case name, checked (after rendering) before any request. Listing operators page
for the user, up to ``max_items``; results are plain JSON values, safe for XCom.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseOperator

from airflow_provider_mediajobs.catalog.params import invalid

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_mediajobs.catalog.model import Operation
    from airflow_provider_mediajobs.hooks.base import MediaJobsBaseHook

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
    hook_class: ClassVar[type[MediaJobsBaseHook]]
    template_fields: Sequence[str] = ()
    ui_color = "#e8f4fd"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "operation" in cls.__dict__:
            cls.template_fields = tuple(cls.api_args()) + tuple(
                f for f in cls.__dict__.get("extra_template_fields", ()) if f
            )

    @classmethod
    def api_args(cls) -> list[str]:
        """The operation's arguments this operator exposes."""
        return [a for a in cls.operation.args if a not in _PAGING_ARGS]

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
        """The rendered values of the operation's arguments."""
        return {arg: getattr(self, arg) for arg in self.api_args()}

    def get_hook(self) -> MediaJobsBaseHook:
        """The vendor hook for ``conn_id``."""
        return self.hook_class(self.conn_id)

    def execute(self, context: Context) -> Any:
        """Check the arguments, call the vendor and return a JSON-serializable result."""
        arguments = self.api_arguments()
        # Check before building the hook: a bad argument never costs a connection lookup.
        self.operation.bind(arguments)
        hook = self.get_hook()
        if self.operation.paging is not None:
            items = hook.paginate(self.operation, self.max_items, **arguments)
            self.log.info("%s returned %d items", self.operation.name, len(items))
            return items
        return self.shape_result(hook.call(self.operation, **arguments), context)

    def shape_result(self, response: dict[str, Any], context: Context) -> Any:
        """Turn the response into the XCom value (the whole response by default)."""
        return response
