"""Building blocks of the report's content: paragraphs, tables, figures, notes.

A section is a list of blocks, each a small JSON-able dict the Typst template
knows how to lay out (``type`` says which). Text is passed as plain strings,
which the template places as text: nothing in a figure's name or a source's
title is ever read as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from forecast.text import number as fmt_number, percent as fmt_pct  # noqa: F401 - the names the sections use

Block = dict[str, Any]
Run = dict[str, Any]
Text = str | list[Run]


def para(*parts: str | Run) -> Block:
    """A paragraph from strings and runs (see :func:`bold`, :func:`ref`).

    Examples
    --------
    >>> para("Losses were ", bold("$16.6bn"), ".")["type"]
    'para'
    """
    return {"type": "para", "text": runs(*parts)}


def runs(*parts: str | Run) -> Text:
    """Join strings and runs into the template's paragraph form."""
    if all(isinstance(p, str) for p in parts):
        return "".join(parts)  # type: ignore[arg-type]
    return [p if isinstance(p, dict) else {"t": p} for p in parts]


def bold(text: str) -> Run:
    """A run set in bold."""
    return {"t": text, "b": True}


def italic(text: str) -> Run:
    """A run set in italics."""
    return {"t": text, "i": True}


def ref(label: str, alt: str = "below") -> Run:
    """A run that refers to a labelled figure or table ("Figure 2").

    ``alt`` is written instead when the target is missing (its part could not be built).
    """
    return {"ref": label, "t": "", "alt": alt}


def refs(*labels: str) -> Run:
    """References in brackets, `` (Figure 1, Table 3)``, leaving out any whose target is missing."""
    return {"refs": list(labels), "t": ""}


def heading(text: str, level: int = 2) -> Block:
    """A sub-heading inside a section."""
    return {"type": "heading", "text": text, "level": level}


def note(*parts: str | Run) -> Block:
    """A shaded note (a caveat, or a part that was left out and why)."""
    return {"type": "note", "text": runs(*parts)}


def failure(reason: str, scope: str = "section") -> Block:
    """The box that says a section (or a part of one: ``scope="part"``) could not be built, and why."""
    return {"type": "failure", "text": reason, "scope": scope}


def bullets(items: Iterable[str | Text]) -> Block:
    """A bulleted list."""
    return {"type": "list", "items": list(items)}


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]], *, caption: Text, label: str | None = None,
          align: Sequence[str] | None = None, widths: Sequence[str] | None = None, note: Text | None = None,
          highlight: Sequence[int] = ()) -> Block:
    """A numbered table with a caption above and a header repeated on every page.

    Parameters
    ----------
    columns : sequence of str
        Header cells.
    rows : sequence of sequences
        Body cells, already formatted as strings (``None`` for an empty cell).
    caption : str
        The caption (the template numbers it "Table N").
    align : sequence of {"l", "c", "r"}
        Alignment per column (numbers right-aligned).
    widths : sequence of str
        Column widths: ``"auto"`` or a fraction such as ``"2fr"``.
    note : str, optional
        A small note below the table.
    highlight : sequence of int
        Row numbers (0-based) to shade, e.g. the chosen model.

    Examples
    --------
    >>> table(["Year", "Value"], [["2024", "$16.6bn"]], caption="IC3", align="lr")["rows"]
    [['2024', '$16.6bn']]
    """
    ncol = len(columns)
    body = [[None if c is None else str(c) for c in r] for r in rows]
    for r in body:
        if len(r) != ncol:
            raise ValueError(f"table row has {len(r)} cells, expected {ncol}")
    out: Block = {"type": "table", "columns": [str(c) for c in columns], "rows": body, "caption": caption,
                  "align": list(align) if align is not None else ["l"] * ncol, "highlight": list(highlight)}
    if widths is not None:
        out["widths"] = list(widths)
    if label:
        out["label"] = label
    if note is not None:
        out["note"] = note
    return out


def figure(file: str, *, caption: Text, label: str | None = None, width: str = "100%") -> Block:
    """A numbered figure from an SVG file, with its caption below."""
    out: Block = {"type": "figure", "file": file, "caption": caption, "width": width}
    if label:
        out["label"] = label
    return out


def sources(items: Sequence[tuple[str, str | None]]) -> Block:
    """A numbered source list: ``[(text, url), ...]`` numbered ``[1]``, ``[2]``, ..."""
    return {"type": "sources", "items": [{"text": t, "url": u} if u else {"text": t} for t, u in items]}


def one_line(exc: BaseException, limit: int = 220) -> str:
    """A one-line reason for a failure, for the PDF and the terminal.

    Examples
    --------
    >>> one_line(ValueError("bad\\nthing"))
    'bad thing'
    >>> one_line(KeyError("median"))
    "KeyError: 'median'"
    """
    if isinstance(exc, ModuleNotFoundError):
        text = f"a library module is missing ({exc.name or exc})"
    elif isinstance(exc, AttributeError | KeyError | TypeError | IndexError | NotImplementedError):
        text = f"{type(exc).__name__}: {exc}"
    else:
        text = str(exc) or type(exc).__name__
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


@dataclass
class Section:
    """One chapter of the report: a title and its blocks, or why it is missing."""

    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    status: str = "ok"          # ok | failed | omitted
    problems: list[str] = field(default_factory=list)  # parts that failed (one line each)

    def add(self, *blocks: Block) -> None:
        """Append blocks."""
        self.blocks.extend(blocks)

    def part(self, name: str, build: Callable[[], list[Block] | Block | None]) -> bool:
        """Build one part of the section; on failure add the failure box and carry on.

        Returns True when the part was built.
        """
        try:
            out = build()
        except Exception as exc:  # noqa: BLE001 - a failing part is reported, never fatal
            reason = f"{name}: {one_line(exc)}"
            self.problems.append(reason)
            self.blocks.append(failure(reason, scope="part"))
            return False
        if out is None:
            return True
        self.blocks.extend(out if isinstance(out, list) else [out])
        return True

    def to_json(self) -> dict[str, Any]:
        """The form the template reads."""
        return {"key": self.key, "title": self.title, "status": self.status, "blocks": self.blocks}
