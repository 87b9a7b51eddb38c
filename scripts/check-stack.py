#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""check-stack.py: the worst static stack path of the VMM's exit handler.

The exit handler runs in VMX root on one 4 KiB host stack per CPU
(vmcs_setup.c: HOST_RSP near the top of cpu->stack), below the exit entry's
frame (intrinsics/real/exit_entry.S). Nothing faults when it overflows
(docs/building.md, "The exit handler's stack"), so the build proves a bound:

  worst = max over call paths from each root of
          sum(frame of each function, from GCC's -fstack-usage .su files)
          + 8 per call (the return address, which .su numbers leave out:
            a leaf that only pushes RBP is listed with 8 bytes)

The call graph comes from `objdump -d` of the linked ELF files (vmm.elf and
the vmcs_check module, whose checker the handler calls after a failed
VMRESUME): direct `call`s and tail `jmp`s to a function's first byte, and
indirect calls (calls and jumps through the image's retpoline thunks
__x86_indirect_thunk_<reg>, or a plain `call *`), each of which must be
declared (--indirect) as calls of the functions in a pointer table of the
image (@TABLE: every function address the table holds, read from its
relocations), as calls of named functions, or as calls of code outside
these files (allow:LABEL:BYTES, a stated allowance: the host's callbacks,
extension modules' hooks). An undeclared indirect call, a function without
a .su entry that is not declared (--asm NAME=BYTES), a dynamic (alloca/VLA)
frame and recursion all fail the check: each would make the bound a guess.

Usage:
  check-stack.py --budget BYTES --root FN [--root FN...] --su-dir DIR...
                 [--indirect CALLER=SPEC...] [--asm FN=BYTES...] ELF...
  check-stack.py @libvmm/stack-check.args --su-dir DIR ELF...
(arguments from a file, one per line; a later --budget wins.)
Exits 0 and prints the worst path and the margin when within the budget,
1 when over it (or when the graph is not understood), 2 on usage errors.
"""
import argparse
import os
import re
import subprocess
import sys

CALL_RE = re.compile(r"^\s*([0-9a-f]+):\s+(?:notrack\s+)?(call|jmp)q?\s+(.*)$")
FUNC_RE = re.compile(r"^([0-9a-f]+) <([^>]+)>:$")
TARGET_RE = re.compile(r"^([0-9a-f]+) <([^>+]+)>$")
# The image's retpoline thunks (intrinsics/real/retpoline.S): the compiler
# (-mindirect-branch=thunk-extern) turns every indirect call into a call of one.
THUNK_PREFIX = "__x86_indirect_thunk_"


def fail(msg):
    print("check-stack: " + msg, file=sys.stderr)
    sys.exit(1)


def read_su(dirs):
    """Frame bytes per function name (the largest of equal names)."""
    frames = {}
    for d in dirs:
        for root, _, files in os.walk(d):
            for f in files:
                if not f.endswith(".su"):
                    continue
                with open(os.path.join(root, f), encoding="utf-8") as fh:
                    for line in fh:
                        parts = line.rstrip("\n").split("\t")
                        if len(parts) != 3:
                            continue
                        name = parts[0].rsplit(":", 1)[-1]
                        size, kind = int(parts[1]), parts[2]
                        if "dynamic" in kind and "bounded" not in kind:
                            frames[name] = None  # unbounded: refused
                            continue
                        old = frames.get(name, 0)
                        if old is not None:
                            frames[name] = max(old, size)
    return frames


def disassemble(elf):
    """Functions of @elf: start address, name, call sites."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", elf],
                         check=True, capture_output=True, text=True).stdout
    funcs = {}  # name -> list of (kind, target-or-None)
    starts = {}  # address -> name
    cur = None
    for line in out.splitlines():
        m = FUNC_RE.match(line)
        if m:
            cur = m.group(2)
            starts[int(m.group(1), 16)] = cur
            funcs.setdefault(cur, [])
            continue
        m = CALL_RE.match(line)
        if not m or cur is None:
            continue
        op, arg = m.group(2), m.group(3).strip()
        if arg.startswith("*"):
            funcs[cur].append(("indirect", op + " " + arg))
            continue
        t = TARGET_RE.match(arg)
        if not t:
            continue  # a jump inside the function (name+offset)
        name = t.group(2).split("@")[0]
        if op == "jmp" and name == cur:
            continue
        if name.startswith(THUNK_PREFIX):
            # A retpoline thunk reaches the target in the register with RET
            # and leaves the stack as the call left it: an indirect call.
            funcs[cur].append(("indirect", f"{op} {name}"))
            continue
        funcs[cur].append(("direct", name))
    return funcs, starts


def table_targets(elf, table, starts):
    """Functions whose addresses the object @table holds (its relocations)."""
    syms = subprocess.run(["readelf", "-W", "-s", elf], check=True,
                          capture_output=True, text=True).stdout
    lo = hi = None
    for line in syms.splitlines():
        f = line.split()
        if len(f) >= 8 and f[7] == table and f[3] == "OBJECT":
            lo = int(f[1], 16)
            hi = lo + int(f[2], 0)
    if lo is None:
        return None
    relocs = subprocess.run(["readelf", "-W", "-r", elf], check=True,
                            capture_output=True, text=True).stdout
    names = set()
    for line in relocs.splitlines():
        f = line.split()
        if len(f) >= 4 and f[2] == "R_X86_64_RELATIVE":
            off = int(f[0], 16)
            if lo <= off < hi:
                addr = int(f[3], 16)
                if addr in starts:
                    names.add(starts[addr])
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 fromfile_prefix_chars="@")
    ap.add_argument("--budget", type=int, required=True)
    ap.add_argument("--root", action="append", required=True)
    ap.add_argument("--su-dir", action="append", required=True)
    ap.add_argument("--indirect", action="append", default=[])
    ap.add_argument("--asm", action="append", default=[])
    ap.add_argument("elf", nargs="+")
    a = ap.parse_args()

    frames = read_su(a.su_dir)
    for spec in a.asm:
        name, _, size = spec.partition("=")
        frames[name] = int(size, 0)
    graph, starts_of = {}, {}
    for elf in a.elf:
        funcs, starts = disassemble(elf)
        starts_of[elf] = starts
        for name, calls in funcs.items():
            graph.setdefault(name, []).extend(calls)

    # CALLER=@TABLE | CALLER=FN,FN | CALLER=allow:LABEL:BYTES, comma-separated.
    indirect = {}
    for spec in a.indirect:
        caller, _, what = spec.partition("=")
        lst = indirect.setdefault(caller, [])
        for item in what.split(","):
            if item.startswith("@"):
                found = None
                for elf in a.elf:
                    found = table_targets(elf, item[1:], starts_of[elf])
                    if found:
                        break
                if not found:
                    fail(f"--indirect {spec}: no table {item[1:]} with "
                         "function addresses in " + " ".join(a.elf))
                lst.extend(("direct", n) for n in sorted(found))
            elif item.startswith("allow:"):
                # allow:LABEL:BYTES, code outside these ELF files (the
                # host's callbacks, extension modules' hooks) at a stated
                # allowance.
                _, label, size = item.split(":", 2)
                lst.append(("allow", (label, int(size, 0))))
            elif item:
                lst.append(("direct", item))

    def frame_of(fn):
        # objdump names clones "f.constprop.0.isra.0", .su files
        # "f.constprop.isra" (GCC 12).
        for name in (fn, re.sub(r"\.[0-9]+(?=\.|$)", "", fn)):
            if name in frames:
                return frames[name]
        return -1

    memo, onpath = {}, []

    def worst(fn):
        """(bytes, path) of the deepest path from @fn, its frame included."""
        if fn in memo:
            return memo[fn]
        if fn in onpath:
            fail("recursion: " + " -> ".join(onpath + [fn]) +
                 " (no bound without a depth limit)")
        if fn not in graph:
            fail(f"{fn}: not a function of " + " ".join(a.elf))
        frame = frame_of(fn)
        if frame is None:
            fail(f"{fn}: dynamic stack frame (alloca or VLA) in .su")
        if frame < 0:
            fail(f"{fn}: no -fstack-usage entry (assembly? declare it "
                 "with --asm NAME=BYTES)")
        onpath.append(fn)
        best, best_path = 0, []
        undeclared = False
        for kind, target in graph[fn]:
            if kind == "indirect":
                undeclared = True
                continue
            sub, path = worst(target)
            if sub + 8 > best:
                best, best_path = sub + 8, path
        if undeclared:
            if fn not in indirect:
                site = [t for k, t in graph[fn] if k == "indirect"][0]
                fail(f"{fn}: indirect call ({site}) without --indirect "
                     f"{fn}=...: say what it can call")
            for kind, target in indirect[fn]:
                if kind == "allow":
                    sub, path = target[1], [f"<{target[0]}: {target[1]}>"]
                else:
                    sub, path = worst(target)
                if sub + 8 > best:
                    best, best_path = sub + 8, path
        onpath.pop()
        memo[fn] = (frame + best, [(fn, frame)] + best_path)
        return memo[fn]

    overall, overall_path, overall_root = -1, [], None
    for r in a.root:
        total, path = worst(r)
        if total > overall:
            overall, overall_path, overall_root = total, path, r
    margin = a.budget - overall
    print(f"check-stack: worst static stack of the exit handler: {overall} "
          f"bytes from {overall_root} (budget {a.budget}, margin {margin})")
    for item in overall_path:
        if isinstance(item, tuple):
            print(f"  {item[1]:6d}  {item[0]}")
        else:
            print(f"          {item}")
    if margin < 0:
        fail(f"over budget by {-margin} bytes: the host stack could "
             "overflow (docs/building.md, 'The exit handler's stack')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
