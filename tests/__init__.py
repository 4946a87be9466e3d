"""The tests of estate: `test_<module>.py` per module of the package, a few end-to-end
files, `conftest.py` (shared pytest fixtures) and `fixtures/` (inputs built in code).

A package so that `tests.fixtures` imports the same way from a test, from
`conftest.py` and from a benchmark (`pythonpath = ["."]` in pyproject.toml).
"""

import pytest

# The helpers in tests.fixtures assert too: show their failures as pytest does.
pytest.register_assert_rewrite("tests.fixtures")
