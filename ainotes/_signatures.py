"""The signature a widget class shows: that of its ``__init__``.

ipywidgets' widgets are traitlets classes, whose ``__new__(*args, **kwargs)`` Sphinx's autodoc
reads before ``__init__``; the API reference would show ``ConvolutionExplorer(*args, **kwargs)``.
Python's own ``inspect.signature`` (and Jupyter's tooltips) read ``__init__``: setting
``__signature__`` makes both agree.
"""

from __future__ import annotations

import inspect
from typing import TypeVar

T = TypeVar("T", bound=type)


def init_signature(cls: T) -> T:
    """Class decorator: ``cls.__signature__`` is the signature of ``cls.__init__`` without ``self``.

    Examples
    --------
    >>> import inspect
    >>> from ainotes._signatures import init_signature
    >>> class Base:
    ...     def __new__(cls, *args, **kwargs):
    ...         return super().__new__(cls)
    >>> @init_signature
    ... class Widget(Base):
    ...     def __init__(self, size: int = 3) -> None:
    ...         self.size = size
    >>> str(inspect.signature(Widget))
    '(size: int = 3) -> None'
    """
    if not isinstance(cls, type):
        raise TypeError(f"init_signature decorates a class, got {cls!r}: put @init_signature above a class statement.")
    try:
        signature = inspect.signature(cls.__init__, eval_str=True)
    except NameError:  # an annotation only importable while type checking
        signature = inspect.signature(cls.__init__)
    cls.__signature__ = signature.replace(parameters=list(signature.parameters.values())[1:])
    return cls
