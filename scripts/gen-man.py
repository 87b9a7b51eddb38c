#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""gen-man.py PAGE.md --roff OUT --c OUT.c --name NAME

Turns one of docs/*.[0-9].md (the one source of a tool's usage text) into
its man page (roff, for `man -l`) and into a C file with the --help texts
the tool prints, so that the page, the docs and --help cannot drift apart.

The page's Markdown is a small fixed subset (docs/flankctl.8.md says so):
  # TITLE(SECTION): one line           the page's title
  ## SECTION                           NAME, SYNOPSIS, DESCRIPTION, ...
  ### heading                          under COMMANDS: a command's synopsis
                                       (without the program's name)
  paragraphs                           consecutive non-blank lines
  4-space indented lines               a literal block
  - `TERM`: text / - TERM: text        a term and its description; the
                                       text goes on in 2-space indented lines
Inline: `code` (bold in roff), [text](link) (the text only).

The C file defines, for prefix NAME:
  const char NAME_usage[];             --help: synopsis, commands, ...
  const struct cli_command NAME_commands[]; const unsigned NAME_command_count;
each command with its synopsis, its --help text and its options (every
[--option] or [--option ARG] of its synopsis; each must be described in a
term list under the command, and nothing else may be).

Exits 1 with a message naming the line on any construct outside the subset.
"""
import argparse
import re
import sys
import textwrap

WIDTH = 76


class Block:
    """One block: kind is 'para', 'code' or 'terms'."""

    def __init__(self, kind, value):
        self.kind = kind
        self.value = value  # str, list of str, or list of (term, text)


class Section:
    def __init__(self, title):
        self.title = title
        self.blocks = []
        self.subs = []  # (heading, [Block]) for ### headings


def fail(path, lineno, msg):
    sys.stderr.write("%s:%d: %s\n" % (path, lineno, msg))
    sys.exit(1)


TERM_RE = re.compile(r"^- (`[^`]+`|[^:`]+): (.*)$")


def parse(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    title = None
    sections = []
    blocks = None  # where blocks go now
    i = 0
    while i < len(lines):
        line = lines[i]
        n = i + 1
        if not line.strip() or line.startswith("<!--"):
            i += 1
            continue
        if line.startswith("# "):
            if title is not None:
                fail(path, n, "a second title")
            title = line[2:].strip()
            i += 1
            continue
        if line.startswith("## "):
            sections.append(Section(line[3:].strip()))
            blocks = sections[-1].blocks
            i += 1
            continue
        if line.startswith("### "):
            if not sections:
                fail(path, n, "### before any ##")
            sections[-1].subs.append((line[4:].strip(), []))
            blocks = sections[-1].subs[-1][1]
            i += 1
            continue
        if line.startswith("#"):
            fail(path, n, "only #, ## and ### headings")
        if blocks is None:
            # Text between the title and the first section: a note for
            # readers of the Markdown, not part of the page.
            i += 1
            continue
        if line.startswith("    "):
            code = []
            while i < len(lines) and (lines[i].startswith("    ") or
                                      not lines[i].strip()):
                code.append(lines[i][4:])
                i += 1
            while code and not code[-1].strip():
                code.pop()
            blocks.append(Block("code", code))
            continue
        if line.startswith("- "):
            terms = []
            while i < len(lines) and lines[i].startswith("- "):
                m = TERM_RE.match(lines[i])
                if not m:
                    fail(path, i + 1, "a list item is '- `TERM`: text'")
                term, text = m.group(1), m.group(2)
                i += 1
                while i < len(lines) and lines[i].startswith("  ") and \
                        lines[i].strip():
                    text += " " + lines[i].strip()
                    i += 1
                terms.append((term.strip("`"), text))
            blocks.append(Block("terms", terms))
            continue
        para = []
        while i < len(lines) and lines[i].strip() and \
                not lines[i].startswith(("#", "    ", "- ")):
            para.append(lines[i].strip())
            i += 1
        blocks.append(Block("para", " ".join(para)))
    m = re.match(r"^([a-z][a-z-]*)\(([1-8])\): (.+)$", title or "")
    if not m:
        fail(path, 1, "the title is '# NAME(SECTION): one line'")
    return m.group(1), m.group(2), sections


def section(sections, name):
    for s in sections:
        if s.title == name:
            return s
    return None


# ------------------------------------------------------------------ text

LINK_RE = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def plain(text):
    """Inline Markdown to the text --help prints."""
    text = LINK_RE.sub(r"\1", text)
    return text.replace("`", "")


def wrap(text, indent):
    return textwrap.fill(plain(text), WIDTH, initial_indent=indent,
                         subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False)


def options_of(synopsis):
    """[(option, argument or None)] of [--opt] / [--opt ARG] groups."""
    return [(m.group(1), m.group(2))
            for m in re.finditer(r"\[(--[a-z][a-z-]*)(?: ([A-Z]+))?\]",
                                 synopsis)]


def terms_text(terms, width):
    out = []
    for term, text in terms:
        lead = "  %-*s  " % (width, plain(term))
        body = textwrap.fill(plain(text), WIDTH, initial_indent=lead,
                             subsequent_indent=" " * len(lead),
                             break_on_hyphens=False, break_long_words=False)
        out.append(body)
    return "\n".join(out) + "\n"


def command_help(prog, heading, blocks):
    text = "Usage: %s %s\n" % (prog, heading)
    for b in blocks:
        text += "\n"
        if b.kind == "para":
            text += wrap(b.value, "") + "\n"
        elif b.kind == "code":
            text += "".join("    %s\n" % l if l else "\n" for l in b.value)
        else:
            text += "Options:\n" if b.value[0][0].startswith("-") else ""
            text += terms_text(b.value, max(len(plain(t))
                                            for t, _ in b.value))
    return text


def first_sentence(text):
    text = plain(text)
    m = re.match(r"^(.*?[.:])(\s+[A-Z]|$)", text)
    return (m.group(1) if m else text).rstrip(".:")


def usage_lines(prog, synopsis_blocks, commands):
    """The synopsis: every command's line, then the SYNOPSIS section's."""
    lines = ["%s %s" % (prog, h) for h, _ in commands]
    for b in synopsis_blocks:
        if b.kind != "code":
            continue
        lines += [l for l in b.value if l.strip()]
    return lines


def usage_text(prog, sections, commands):
    syn = usage_lines(prog, section(sections, "SYNOPSIS").blocks, commands)
    text = "Usage: " + "\n       ".join(syn) + "\n"
    if commands:
        width = max(len(h.split()[0]) for h, _ in commands)
        text += "\nCommands:\n"
        for h, blocks in commands:
            paras = [b for b in blocks if b.kind == "para"]
            summary = first_sentence(paras[0].value) if paras else ""
            lead = "  %-*s  " % (width, h.split()[0])
            text += textwrap.fill(summary, WIDTH, initial_indent=lead,
                                  subsequent_indent=" " * len(lead),
                                  break_on_hyphens=False) + "\n"
        text += "\nEvery command takes --help; 'man %s' has the details.\n" \
            % prog
    for name, label in (("ENVIRONMENT", "Environment"),
                        ("EXIT STATUS", "Exit codes")):
        s = section(sections, name)
        if not s:
            continue
        for b in s.blocks:
            if b.kind == "terms":
                text += "\n%s:\n" % label
                text += terms_text(b.value,
                                   max(len(plain(t)) for t, _ in b.value))
    return text


# ------------------------------------------------------------------ roff

def roff_escape(text):
    text = text.replace("\\", "\\e")
    return text


def roff_inline(text):
    text = LINK_RE.sub(r"\1", text)
    out = []
    for i, part in enumerate(text.split("`")):
        part = roff_escape(part)
        if i % 2:
            out.append("\\fB" + part.replace("-", "\\-") + "\\fR")
        else:
            out.append(part)
    return "".join(out)


def roff_line(text):
    """A text line that roff never reads as a request."""
    return "\\&" + text if text.startswith((".", "'")) else text


def roff_synopsis(text):
    """Bold words, italic placeholders (upper case), plain brackets."""
    out = []
    for tok in re.split(r"(\s+|[\[\]|]|\.\.\.)", text):
        if not tok:
            continue
        if re.match(r"^[A-Z][A-Z_]*$", tok):
            out.append("\\fI" + tok + "\\fR")
        elif re.match(r"^[a-z-][a-z0-9-]*$", tok):
            out.append("\\fB" + tok.replace("-", "\\-") + "\\fR")
        else:
            out.append(tok)
    return "".join(out)


def roff_blocks(blocks):
    out = []
    for b in blocks:
        if b.kind == "para":
            out += [".PP", roff_line(roff_inline(b.value))]
        elif b.kind == "code":
            out += [".PP", ".RS 4", ".nf"]
            out += [roff_line(roff_escape(l).replace("-", "\\-"))
                    if l else "" for l in b.value]
            out += [".fi", ".RE"]
        else:
            for term, text in b.value:
                out += [".TP", roff_line("\\fB%s\\fR" %
                                         roff_escape(term).replace("-", "\\-")),
                        roff_line(roff_inline(text))]
    return [l if l else ".sp" for l in out]


def roff(prog, sect, sections, commands, version):
    out = ['.\\" SPDX-License-Identifier: GPL-2.0-or-later',
           '.\\" Generated by scripts/gen-man.py from docs/%s.%s.md: '
           'edit that.' % (prog, sect),
           '.TH %s %s "" "Flank %s" "Flank"' % (prog.upper(), sect, version),
           # Left-aligned: paths and options make justified lines gappy.
           ".ad l", ".nh"]
    for s in sections:
        out.append('.SH "%s"' % s.title)
        if s.title == "SYNOPSIS":
            out.append(".nf")
            out += [roff_synopsis(line)
                    for line in usage_lines(prog, s.blocks, commands)]
            out.append(".fi")
            out += roff_blocks([b for b in s.blocks if b.kind != "code"])
            continue
        if s.title == "NAME":
            out.append(roff_line(roff_escape(s.blocks[0].value)
                                 .replace("-", "\\-", 1)))
            continue
        out += roff_blocks(s.blocks)
        for heading, blocks in s.subs:
            if s.title == "COMMANDS":
                out += [".SS", roff_synopsis(heading)]
            else:
                out += ['.SS "%s"' % roff_escape(heading)]
            out += roff_blocks(blocks)
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------- C

def c_string(text):
    lines = text.split("\n")
    parts = []
    for i, l in enumerate(lines):
        if i < len(lines) - 1:
            l += "\n"
        if not l:
            continue
        parts.append('"%s"' % l.replace("\\", "\\\\").replace(
            '"', '\\"').replace("\n", "\\n"))
    return "\n\t".join(parts) if parts else '""'


def c_file(name, prog, sections, commands):
    out = ["/* SPDX-License-Identifier: GPL-2.0-or-later */",
           "/* Generated by scripts/gen-man.py from docs/%s.*.md: edit "
           "that. */" % prog,
           '#include "cli_doc.h"', ""]
    out.append("const char %s_usage[] =\n\t%s;\n" %
               (name, c_string(usage_text(prog, sections, commands))))
    for i, (heading, _) in enumerate(commands):
        opts = options_of(heading)
        if opts:
            out.append("static const struct cli_option options_%d[] = {" % i)
            for o, arg in opts:
                out.append('\t{"%s", %s},' %
                           (o, '"%s"' % arg if arg else "NULL"))
            out.append("};\n")
    out.append("const struct cli_command %s_commands[] = {" % name)
    for i, (heading, blocks) in enumerate(commands):
        opts = options_of(heading)
        out.append('\t{"%s", "%s",\n\t %s,\n\t %s, %d},' % (
            heading.split()[0], heading.replace('"', '\\"'),
            c_string(command_help(prog, heading, blocks)).replace(
                "\n\t", "\n\t "),
            "options_%d" % i if opts else "NULL", len(opts)))
    out.append("};\n")
    out.append("const unsigned int %s_command_count = %d;" %
               (name, len(commands)))
    return "\n".join(out) + "\n"


def check(path, prog, sections, commands):
    for name in ("NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS",
                 "SEE ALSO"):
        if not section(sections, name):
            fail(path, 1, "no ## %s section" % name)
    for heading, blocks in commands:
        wanted = {o for o, _ in options_of(heading)}
        described = set()
        for b in blocks:
            if b.kind == "terms":
                described |= {t.split()[0] for t, _ in b.value}
        if wanted != described:
            fail(path, 1, "command '%s': options in the synopsis %s, "
                 "described %s" % (heading, sorted(wanted),
                                   sorted(described)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("page")
    ap.add_argument("--roff")
    ap.add_argument("--c")
    ap.add_argument("--name")
    ap.add_argument("--version", default="")
    a = ap.parse_args()
    prog, sect, sections = parse(a.page)
    cmds = section(sections, "COMMANDS")
    commands = cmds.subs if cmds else []
    check(a.page, prog, sections, commands)
    if a.roff:
        with open(a.roff, "w", encoding="utf-8") as f:
            f.write(roff(prog, sect, sections, commands, a.version))
    if a.c:
        with open(a.c, "w", encoding="utf-8") as f:
            f.write(c_file(a.name or prog.replace("-", "_"), prog, sections,
                           commands))


if __name__ == "__main__":
    main()
