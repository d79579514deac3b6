#!/usr/bin/env python3
"""Calls flow one way: the link-level layers of src/*.c, and any call cycle among them.

usage: layers.py BUILD_DIR SRC.c...

For each source file src/X.c the object BUILD_DIR/X.o is read with nm: the symbols it
defines (nm -g --defined-only) and those it uses (nm -u). File A calls file B when A uses a
symbol that B defines. The files are printed by layer, bottom first: layer 0 calls no other
file, layer N calls only files below it. A cycle (files that reach each other through their
calls) is printed with the calls that close it, and the exit status is 1.
"""
import os
import subprocess
import sys


def symbols(obj, *flags):
    if not os.path.exists(obj):
        sys.exit("layers: %s is missing (make all first)" % obj)
    out = subprocess.run(["nm", *flags, obj], check=True, capture_output=True, text=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def call_graph(build, sources):
    """{file: {callee: sorted symbols it uses there}}, files named without src/ and .c."""
    defined, used = {}, {}
    for src in sources:
        name = os.path.splitext(os.path.basename(src))[0]
        obj = os.path.join(build, name + ".o")
        defined[name] = symbols(obj, "-g", "--defined-only")
        used[name] = symbols(obj, "-u")
    owner = {}
    for name, syms in defined.items():
        for sym in syms:
            owner.setdefault(sym, name)
    graph = {}
    for name, syms in used.items():
        calls = graph.setdefault(name, {})
        for sym in syms:
            callee = owner.get(sym)
            if callee and callee != name:
                calls.setdefault(callee, []).append(sym)
        for callee in calls:
            calls[callee].sort()
    return graph


def components(graph):
    """Tarjan's strongly connected components, iteratively (no recursion limit)."""
    index, low, on_stack, stack, result = {}, {}, set(), [], []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    comp.append(member)
                    if member == node:
                        break
                result.append(sorted(comp))
    return result


def layers(graph, comps):
    """Layer of each component: 0 if it calls outside itself nowhere, else 1 + the highest callee's."""
    comp_of = {name: i for i, comp in enumerate(comps) for name in comp}
    level = {}
    for i, comp in enumerate(comps):  # Tarjan emits callees before their callers
        callees = {comp_of[c] for name in comp for c in graph[name]} - {i}
        level[i] = 1 + max((level[c] for c in callees), default=-1)
    by_level = {}
    for i, comp in enumerate(comps):
        by_level.setdefault(level[i], []).append(comp)
    return by_level


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip())
        return 2
    graph = call_graph(argv[1], argv[2:])
    comps = components(graph)
    for lvl, group in sorted(layers(graph, comps).items()):
        names = ["{" + " ".join(c) + "}" if len(c) > 1 else c[0] for c in sorted(group)]
        print("layer %2d: %s" % (lvl, " ".join(names)))
    cycles = [c for c in comps if len(c) > 1]
    for comp in cycles:
        print("cycle: %s" % " ".join(comp))
        for name in comp:
            for callee in sorted(graph[name]):
                if callee in comp:
                    print("  %s -> %s: %s" % (name, callee, " ".join(graph[name][callee])))
    files = sum(len(c) for c in cycles)
    if cycles:
        print("layers: %d cycle(s) among %d of %d files" % (len(cycles), files, len(graph)))
        return 1
    print("layers: no cycle among %d files" % len(graph))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
