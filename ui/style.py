"""How the app looks: local fonts only, and the CSS of the sources panel."""

from __future__ import annotations

import gradio as gr

# System fonts only: a web font would be fetched from the network, which the
# app must not need. The Devanagari families come before the generic fallback
# so that Hindi never depends on what "sans-serif" happens to cover.
FONTS = [
    "Segoe UI",
    "Roboto",
    "Helvetica Neue",
    "Arial",
    "Noto Sans",
    "DejaVu Sans",
    "Lohit Devanagari",
    "Noto Sans Devanagari",
    "Nirmala UI",
    "Mangal",
    "Kohinoor Devanagari",
    "sans-serif",
]
MONO_FONTS = ["DejaVu Sans Mono", "Menlo", "Consolas", "Liberation Mono", "monospace"]

CSS = """
#sources .sources { font-size: var(--text-md); }
#sources h3 { margin: 0 0 .5em; }
#sources ul { list-style: none; padding: 0; margin: 0; }
#sources li.source { border: 1px solid var(--border-color-primary); border-radius: var(--radius-md);
  padding: .6em .8em; margin: 0 0 .6em; scroll-margin-top: 1em; }
#sources li.source:target { outline: 2px solid var(--color-accent); }
#sources .source-head { font-weight: 600; }
#sources .source-n { color: var(--color-accent); }
#sources .source-meta, #sources .muted, .answer-note { color: var(--body-text-color-subdued);
  font-size: var(--text-sm); }
#sources .source-file { font-family: var(--font-mono); }
#sources .passage { white-space: pre-wrap; margin-top: .4em; line-height: 1.6; }
#sources mark { background: #fde68a; color: inherit; padding: 0 .1em; }
.dark #sources mark { background: #854d0e; }
#sources details { margin-top: .8em; }
#sources summary { cursor: pointer; }
a.cite { text-decoration: none; font-weight: 600; }
/* The chat tab's columns are in narrow-screen order (conversation, sources, examples and
   settings); side by side, the sources take the right and the other two stack on the left. */
@media (min-width: 768px) {
  #chat-layout { display: grid; grid-template-columns: 3fr 2fr; grid-template-rows: auto 1fr;
    grid-template-areas: "main sources" "tools sources"; align-items: start; }
  #chat-main { grid-area: main; }
  #sources-column { grid-area: sources; }
  #chat-tools { grid-area: tools; }
}
/* Gradio sets tables in the monospace font, which has no Devanagari. */
#articles * { font-family: var(--font); }
"""


def theme() -> gr.themes.Base:
    return gr.themes.Default(font=FONTS, font_mono=MONO_FONTS)
