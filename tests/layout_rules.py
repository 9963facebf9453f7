"""Checkers of the layout rules of ``docs/design.md``, reading the sources with ``ast``
(nothing is imported, so a rule holds for the code as written, not for what one process
happened to load). Used by ``test_layout.py``.

Each checker takes the folder holding ``neocognitron/`` (and ``experiments/``,
``notebooks/``) and returns what breaks its rule, so that the tests run it on this
repository and on small broken trees.
"""

import ast
import functools
import json
from dataclasses import dataclass

PACKAGE = "neocognitron"
MODELS = ("fukushima1980", "digits", "cnn")
#: decorators that make a function a numba kernel (``_numba.njit``, ``njit_exact``, numba's own)
KERNEL_DECORATORS = {"njit", "njit_exact", "jit", "vectorize", "guvectorize", "stencil", "cfunc"}
#: what a kernel module may import besides the package's ``_numba`` and other kernel modules
KERNEL_DEPS = ("numpy", "numba", "math")
MAX_LINES = 400
#: what a model's ``_state.py`` imports to register itself for save/load
REGISTRY = f"{PACKAGE}.workflow.io"


@dataclass(frozen=True)
class Import:
    """One name an import statement loads.

    ``module`` is the dotted module it loads (for ``from X import n``: ``X.n`` when that is
    a module of the package, else ``X``), ``name`` the name taken from ``X`` when it is not
    a module, ``top`` whether the statement runs at import time (not inside a function).
    """

    module: str
    name: str | None
    line: int
    top: bool


def _private(part):
    """A private name: one leading underscore, not a dunder such as ``__version__``."""
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def package_modules(root):
    """``{dotted name: path}`` of every module of the package under ``root``."""
    paths = sorted((root / PACKAGE).rglob("*.py"))
    return {".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): p
            for p in paths}


def _walk(node, in_function=False):
    """Every node under ``node`` with whether it sits inside a function (runs later)."""
    for child in ast.iter_child_nodes(node):
        yield child, in_function
        inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                  ast.Lambda))
        yield from _walk(child, inner)


def imports_in(tree, module, is_package, known):
    """The :class:`Import` of a parsed module named ``module`` (``known``: the package's
    module names, to tell ``from X import submodule`` from ``from X import name``)."""
    out = []
    for node, in_function in _walk(tree):
        if isinstance(node, ast.Import):
            out += [Import(a.name, None, node.lineno, not in_function) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")[: len(module.split(".")) - (not is_package)]
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            for a in node.names:
                sub = f"{base}.{a.name}"
                target, name = (sub, None) if sub in known else (base, a.name)
                out.append(Import(target, name, node.lineno, not in_function))
    return out


@functools.lru_cache(maxsize=8)
def package_imports(root):
    """``{module: (path, tree, imports)}`` of every module of the package under ``root``
    (parsed once per root: the rules read the same trees)."""
    mods = package_modules(root)
    out = {}
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        out[name] = (path, tree, imports_in(tree, name, path.name == "__init__.py", mods))
    return out


def _what(i):
    return i.module if i.name is None else f"{i.module}.{i.name}"


def _where(root, path, line):
    return f"{path.relative_to(root).as_posix()}:{line}"


# -- the rules ------------------------------------------------------------------------------

def _decorator_name(dec):
    dec = dec.func if isinstance(dec, ast.Call) else dec
    return dec.attr if isinstance(dec, ast.Attribute) else getattr(dec, "id", None)


def kernel_modules(root):
    """The private modules (``_x.py``, not ``_numba`` itself, which makes the decorators)
    that hold numba kernels: a function with a numba decorator, or a module-level import of
    the package's ``_numba``."""
    numba_helper = f"{PACKAGE}._numba"
    found = set()
    for name, (_, tree, imps) in package_imports(root).items():
        if not _private(name.rsplit(".", 1)[-1]) or name == numba_helper:
            continue
        jitted = any(_decorator_name(d) in KERNEL_DECORATORS
                     for node, _ in _walk(tree)
                     if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                     for d in node.decorator_list)
        if jitted or any(i.top and i.module == numba_helper for i in imps):
            found.add(name)
    return found


def kernel_violations(root):
    """Imports of a kernel module (anywhere in it) other than numpy, numba, math, the
    package's ``_numba`` and kernel modules."""
    kernels = kernel_modules(root)
    allowed = kernels | {f"{PACKAGE}._numba"}
    return [f"{_where(root, path, i.line)} (kernel module) imports {i.module}"
            for name, (path, _, imps) in package_imports(root).items() if name in kernels
            for i in imps if i.module.split(".")[0] not in KERNEL_DEPS
            and i.module not in allowed]


def _model_of(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == PACKAGE and parts[1] in MODELS else None


def model_violations(root):
    """Imports (anywhere) by a model of another model's private module or name, or of
    ``workflow``: only the module that registers the model's state with the io registry,
    ``<model>/_state.py``, imports one thing of it, ``workflow.io``."""
    bad = []
    for name, (path, _, imps) in package_imports(root).items():
        own = _model_of(name)
        if own is None:
            continue
        for i in imps:
            where = _where(root, path, i.line)
            registers = name == f"{PACKAGE}.{own}._state" and i.module == REGISTRY
            workflow = i.module == f"{PACKAGE}.workflow" or i.module.startswith(
                f"{PACKAGE}.workflow.")
            if workflow and not registers:
                bad.append(f"{where} ({own}) imports the workflow: {_what(i)}")
            other = _model_of(i.module)
            private = any(_private(p) for p in i.module.split(".")[2:]) or (
                i.name is not None and _private(i.name))
            if other not in (None, own) and private:
                bad.append(f"{where} ({own}) imports a private part of {other}: {_what(i)}")
    return bad


def workflow_violations(root, filename):
    """Module-level imports of a model by ``workflow/<filename>``."""
    path = root / PACKAGE / "workflow" / filename
    name = f"{PACKAGE}.workflow" + ("" if path.stem == "__init__" else f".{path.stem}")
    imps = package_imports(root)[name][2]
    return [f"{_where(root, path, i.line)} imports {_what(i)} at module level"
            for i in imps if i.top and _model_of(i.module)]


def _notebook_code(path):
    """The code cells of a notebook as one module; IPython magics and shell lines dropped."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c.get("cell_type") == "code")
    return "\n".join(ln for ln in code.splitlines() if not ln.lstrip().startswith(("%", "!")))


def private_import_violations(path):
    """Imports of a private module or name of the package by a script or notebook."""
    code = _notebook_code(path) if path.suffix == ".ipynb" else path.read_text(encoding="utf-8")
    tree = ast.parse(code, filename=str(path))
    bad = []
    for i in imports_in(tree, "__main__", False, set()):
        parts = i.module.split(".") + ([i.name] if i.name else [])
        if parts[0] == PACKAGE and any(_private(p) for p in parts[1:]):
            bad.append(f"{path.name}:{i.line} imports {'.'.join(parts)}")
    return bad


@functools.lru_cache(maxsize=8)
def long_modules(root):
    """``{path relative to the package: lines}`` of the modules over :data:`MAX_LINES`."""
    lines = {p.relative_to(root / PACKAGE).as_posix():
             len(p.read_text(encoding="utf-8").splitlines())
             for p in sorted((root / PACKAGE).rglob("*.py"))}
    return {name: n for name, n in lines.items() if n > MAX_LINES}


def import_cycles(root):
    """The sets of modules that import each other, directly or not, in the graph of
    module-level imports among the package's modules. Imports inside functions run after
    every module is loaded, so they close no cycle."""
    known = package_modules(root)
    graph = {name: sorted({i.module for i in imps if i.top and i.module in known} - {name})
             for name, (_, _, imps) in package_imports(root).items()}

    def reachable(v):
        seen, todo = set(), list(graph[v])
        while todo:
            w = todo.pop()
            if w not in seen:
                seen.add(w)
                todo += graph[w]
        return seen

    reach = {v: reachable(v) for v in graph}
    # a module on a cycle reaches itself; its cycle is every module it reaches that reaches it
    cycles = {frozenset({v} | {w for w in reach[v] if v in reach[w]})
              for v in graph if v in reach[v]}
    return sorted(sorted(c) for c in cycles)
