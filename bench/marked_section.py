"""Sections of docs/benchmarks.md that one script writes between its own
markers (<!-- name:begin --> ... <!-- name:end -->) and the others keep."""

from pathlib import Path


def markers(name):
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def read_section(path, name):
    """The section with its markers, or "" when the file has none."""
    begin, end = markers(name)
    try:
        text = Path(path).read_text()
    except OSError:
        return ""
    if begin not in text or end not in text:
        return ""
    return begin + text.split(begin, 1)[1].split(end, 1)[0] + end


def write_section(path, name, lines):
    """Replaces the section (or appends it) with `lines` between the markers."""
    path = Path(path)
    begin, end = markers(name)
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = "\n".join([begin, *lines, end])
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)
