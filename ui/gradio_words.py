"""Gradio's own words (the upload box, the footer, tooltips, queue status) in the
interface language: Gradio's frontend translates them by its locale, which follows
the browser, not the app. So the interface switch sets that locale too, and the
few strings Gradio's Hindi lacks are supplied here."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import gradio as gr

log = logging.getLogger(__name__)

# Keys of Gradio's frontend (gradio/templates/frontend, lang/*.json) that this app
# shows and its Hindi does not have; "common.complete", announced to screen
# readers when an answer is done, is missing from its English too.
TRANSLATIONS = gr.I18n(
    en={"common.complete": "Complete"},
    hi={
        "common.complete": "पूरा हुआ",
        "chatbot.complete": "पूरा हुआ",
        "chatbot.copy_message": "संदेश कॉपी करें",
        "chatbot.copied_message": "संदेश कॉपी हो गया",
        "common.download_all": "सभी डाउनलोड करें",
        "common.runs": "पिछले रन",
        "common.runs_description": "इस ब्राउज़र में सहेजे गए रन देखें",
        "common.back_to_app": "ऐप",
        "common.back_to_app_description": "ऐप पर लौटें",
        "common.progress": "प्रगति",
        "common.run": "चलाएँ",
        "dataframe.filter": "फ़िल्टर",
        "dataframe.clear_filter": "फ़िल्टर हटाएँ",
        "errors.use_via_api_or_mcp": "API या MCP के माध्यम से उपयोग करें",
        "status.queue_position": "कतार में: {size} में से {position}",
    },
)

_ASSETS = Path(gr.__file__).parent / "templates" / "frontend" / "assets"


def locale_module() -> str | None:
    """The frontend chunk that exports Gradio's `changeLocale`, as the page names it
    (its file name carries a build hash); None if this Gradio has no such chunk."""
    for chunk in sorted(_ASSETS.glob("core-*.js")):
        if "changeLocale" in chunk.read_text(encoding="utf-8"):
            return f"assets/{chunk.name}"
    log.warning("no changeLocale in %s: Gradio's own words stay in the browser's language", _ASSETS)
    return None


def switch_locale_js(module: str) -> str:
    """An event's `js`: sets Gradio's locale to the event's first input (the interface
    language) and passes the inputs on once the locale's words have loaded (Gradio
    marks that on <html lang>), so components mounted after it are in that language."""
    return f"""async (language, ...rest) => {{
  const i18n = await import(new URL({json.dumps(module)}, document.baseURI).href);
  i18n.changeLocale(language);
  for (let wait = 0; wait < 100 && document.documentElement.lang !== language; wait++) {{
    await new Promise((resolve) => setTimeout(resolve, 20));
  }}
  return [language, ...rest];
}}"""
