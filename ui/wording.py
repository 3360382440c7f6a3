"""The words of the interface, registered where each component is made.

    words = Wording()
    ask = words.make(gr.Button, value=said("ask"), variant="primary")
    ...
    language.change(lambda t: words.updates(t), language, words.components)

A component's worded properties are named once, at its making; the update for
another language and the list of outputs that receives it are both read from
that one registry, so a new component cannot be forgotten by the switch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import gradio as gr
from gradio.blocks import Block

from ui.labels import label

B = TypeVar("B", bound=Block)


@dataclass(frozen=True)
class Worded:
    """A property whose value is written in the interface language."""

    in_language: Callable[[str], Any]


def said(key: str) -> Worded:
    """The label `key` of ui.labels, in whichever language the interface is in."""
    return Worded(lambda language: label(key, language))


class Wording:
    def __init__(self, language: str = "en") -> None:
        self.language = language  # what components are made in
        self._worded: dict[Block, dict[str, Worded]] = {}

    def make(self, kind: Callable[..., B], **props: Any) -> B:
        """`kind(**props)`, each `Worded` prop written in the starting language and
        registered for the switch."""
        worded = {name: value for name, value in props.items() if isinstance(value, Worded)}
        plain = {name: value.in_language(self.language) for name, value in worded.items()}
        component = kind(**{**props, **plain})
        self._worded[component] = worded
        return component

    @property
    def components(self) -> list[Block]:
        return list(self._worded)

    def updates(self, language: str) -> dict[Block, dict[str, Any]]:
        """Every registered component's worded properties in `language`."""
        return {
            component: gr.update(
                **{name: value.in_language(language) for name, value in worded.items()}
            )
            for component, worded in self._worded.items()
        }
