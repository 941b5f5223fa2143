"""Pydantic models built from values the program made itself, without validating again.

The engine builds about twenty result models per assessment from values that are
already checked (validated answers, the loaded knowledge, its own arithmetic).
Validating them again is most of the cost of building them, and pydantic's own
``model_construct`` is slower still (it looks up every field's aliases and defaults).
Input from outside is still validated: answers by ``intake.validate``, stored results by
``Assessment.model_validate``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

_Model = TypeVar("_Model", bound=BaseModel)
_new = object.__new__
_set = object.__setattr__


def trusted(cls: type[_Model], /, **fields: Any) -> _Model:
    """``cls.model_construct(**fields)`` for a model that is given every field, by name, in
    the order the model declares them, with the types validation would give (tuples for
    tuples), and that has no private attributes, extra fields or ``model_post_init``.

    The same four attributes ``model_construct`` sets; tests/engine/test_construct.py
    checks the result equals (and writes the same JSON and repr as) a validated model.
    """
    model = _new(cls)
    _set(model, "__dict__", fields)
    _set(model, "__pydantic_fields_set__", set(fields))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model
