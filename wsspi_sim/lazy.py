"""Containers created on first use, for slotted records (sockets, endpoints).

Most sockets never queue a request, buffer a byte or register a peer name, and
a million idle sockets must stay small (bench: idle_socket_bytes).  A
:class:`Lazy` attribute ``x`` keeps its value in the slot ``_x`` (None until the
first read creates it); :func:`made` looks at a container without creating it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

_T = TypeVar("_T")


class Lazy(Generic[_T]):
    """A container attribute made by ``factory()`` on first read (slot ``_<name>``)."""

    __slots__ = ("factory", "slot", "get", "put", "doc")

    def __init__(self, factory: Callable[[], _T], doc: str) -> None:
        self.factory = factory
        self.doc = doc
        self.slot = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name
        member = owner.__dict__[self.slot]  # the slot's own C descriptor: fast access
        self.get = member.__get__
        self.put = member.__set__

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Lazy[_T]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> _T: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> _T | Lazy[_T]:
        if obj is None:
            return self
        value = self.get(obj)
        if value is None:
            value = self.factory()
            self.put(obj, value)
        return value  # type: ignore[no-any-return]

    def __set__(self, obj: object, value: _T) -> None:
        self.put(obj, value)


def made(obj: object, name: str) -> Any:
    """The container ``name`` of ``obj`` if it has been created, else None (an
    attribute that is not :class:`Lazy` is simply read)."""
    attr = getattr(type(obj), name)
    if type(attr) is Lazy:
        return attr.get(obj)
    return getattr(obj, name)
