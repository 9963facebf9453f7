"""Hooks for the whole suite: a run that could not test everything says so at its end."""

import subprocess

import pytest
from mnist_home import SKIP_REASON, ci_folder

# helpers that test files import: pytest rewrites their assertions as in a test file (a
# failure shows the values compared), and loads the two that hold fixtures as plugins
# (pytest_plugins) without a warning that the test file imported them first
pytest.register_assert_rewrite("cell_cases", "digit_models", "io_models")


def mnist_skips(reports):
    """How many tests of ``reports`` (skipped ones) were skipped for want of MNIST."""
    skipped = set()
    for report in reports:
        longrepr = report.longrepr
        if isinstance(longrepr, tuple) and len(longrepr) == 3:
            reason = str(longrepr[2]).removeprefix("Skipped: ")
            if reason == SKIP_REASON:
                skipped.add(report.nodeid)
    return len(skipped)


# a wrapper run first, so that the line comes after pytest's own summaries and only the
# final count follows it
@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    yield
    n = mnist_skips(terminalreporter.stats.get("skipped", []))
    if n:
        ci = ci_folder()
        where = "" if ci is None else f" (or put them in {ci})"
        terminalreporter.write_line(
            f"{n} test{'s' if n > 1 else ''} skipped for want of MNIST: to run them, "
            f"export NEOCOGNITRON_DATA=/absolute/folder/of/the/4/IDX/files{where}; "
            "see data/README.md", yellow=True, bold=True)


@pytest.fixture
def git(tmp_path):
    """``git(*args)`` runs git in a new repository at ``tmp_path`` (skips without git);
    ``git.commit(message)`` commits what is staged."""

    def run(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    try:
        run("init", "-q")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git is not installed")
    run.commit = lambda message: run("-c", "user.name=t", "-c", "user.email=t@t", "commit",
                                     "-q", "-m", message)
    return run
