"""Follow-up questions: "और उसमें कितने प्रतिनिधि थे?" needs the turn before it."""

from __future__ import annotations

import re
from collections.abc import Sequence

_ANAPHORA = re.compile(
    r"\b(it|its|they|them|their|there|that|this|those|these|he|she|his|her|him|same|"
    r"what about|how about)\b"
    r"|(?:^|\s)(उसमें|उसके|उसकी|उसका|उस|उसे|उन्होंने|उनके|उनकी|उनका|उन्हें|इसमें|इसके|इसकी|इसका|"
    r"इसे|वह|वे|वहां|वहाँ|यह|ये)(?=\s|[?।,]|$)"
    r"|^\s*(and|also|और|तथा|फिर)\b",
    re.IGNORECASE,
)


def is_follow_up(question: str) -> bool:
    return bool(_ANAPHORA.search(question)) or len(question.split()) <= 3


def context_for(question: str, history: Sequence[str]) -> str:
    """Earlier questions that a follow-up leans on (the last two), else nothing."""
    if not history or not is_follow_up(question):
        return ""
    return " ".join(history[-2:])
