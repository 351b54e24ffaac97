"""The argument tables of ``ImmCreateTaskOperator`` in docs/howto/alibaba-imm.md, made from the catalog.

``python -m scripts.imm_task_tables`` prints them; ``tests/unit/operators/test_imm_tasks.py``
checks the page holds exactly these, so the page cannot drift from the catalog.
"""

from __future__ import annotations

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.catalog import params as p
from airflow_provider_mediajobs.catalog import shapes as s


def _keys(shape: s.Shape) -> str:
    item = shape.item if isinstance(shape, s.ListOf) else shape
    if not isinstance(item, s.Obj):
        return ""
    return ", ".join(f"`{key}`" for key in item.fields)


def describe(param: p.Param) -> str:
    """What a parameter may be, in the words of the how-to pages."""
    if isinstance(param, s.Shaped):
        shape = param.shape
        if isinstance(shape, s.FreeMap):
            return "dict of your own keys to strings, numbers or booleans (or its JSON)"
        many = f"list of at most {shape.max_items} objects" if isinstance(shape, s.ListOf) else "object"
        return f"{many} with the keys {_keys(shape)}, nested as the SDK model lists them (or its JSON)"
    if isinstance(param, s.Utf8Str):
        return f"text, at most {param.max_bytes} bytes in UTF-8"
    if isinstance(param, s.SecretStr):
        return f"text, at most {param.max_len} characters; masked in logs, never quoted in an error"
    if isinstance(param, p.Enum):
        return "one of " + ", ".join(f"`{v}`" for v in param.values)
    if isinstance(param, p.Bool):
        return "boolean"
    if isinstance(param, p.Int):
        if param.high is not None:
            return f"integer {param.low} to {param.high}"
        return f"integer, at least {param.low}"
    if isinstance(param, p.Str) and param.pattern == p.ID_PATTERN:
        return "name (id rule)"
    if isinstance(param, p.Str) and param.pattern and param.pattern.startswith("oss://"):
        return "OSS URI, `oss://bucket/object`"
    if isinstance(param, p.Str):
        return f"{param.hint or 'text'}, at most {param.max_len} characters"
    raise TypeError(f"no description for {param!r}")


def table(spec: cat.ImmTaskType) -> str:
    """The argument table of one task type."""
    rows = ["| Argument | Type / allowed values | Required | Templated |", "|---|---|---|---|",
            f"| `imm_task_type` | `{spec.name}` | yes | yes |"]
    for param in spec.create.params:
        required = "yes" if param.required else "no"
        rows.append(f"| `{param.arg}` | {describe(param)} (`{param.wire}`) | {required} | yes |")
    return "\n".join(rows)


def tables() -> dict[str, str]:
    """Each declared task type's table."""
    return {name: table(spec) for name, spec in cat.IMM_TASK_TYPES.items()}


if __name__ == "__main__":
    for name, text in tables().items():
        print(f"### {name}\n\n{text}\n")
