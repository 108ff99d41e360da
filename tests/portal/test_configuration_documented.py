"""Every environment variable the settings read is documented: a row in docs/configuration.md
and a line in .env.example. The variables are found by parsing settings.py, not by a list
kept by hand, so a new `env.int("NAME", ...)` without its documentation fails here."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "barleben_portal" / "settings.py"
CONFIGURATION_DOCS = ROOT / "docs" / "configuration.md"
ENV_EXAMPLE = ROOT / ".env.example"

# Methods of django-environ's Env that do not read a variable.
ENV_METHODS_NOT_READING = {"read_env", "parse_value"}


def _is_os_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _is_os_getenv(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "getenv"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _env_instances(tree: ast.Module) -> set[str]:
    """Names bound to an `environ.Env(...)` (or `Env(...)`) instance."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            function = node.value.func
            is_env = (isinstance(function, ast.Attribute) and function.attr == "Env") or (
                isinstance(function, ast.Name) and function.id == "Env"
            )
            if is_env:
                names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return names


def _reads_environment(function: ast.FunctionDef, env_names: set[str]) -> bool:
    for node in ast.walk(function):
        if _is_os_environ(node) or _is_os_getenv(node):
            return True
        if isinstance(node, ast.Name) and node.id in env_names:
            return True
    return False


def _variable_argument(call: ast.Call) -> ast.AST | None:
    if call.args:
        return call.args[0]
    for keyword in call.keywords:
        if keyword.arg in ("var", "key", "name"):
            return keyword.value
    return None


def variables_read(source: str) -> set[str]:
    """The names of the environment variables a settings module reads.

    Recognised: `env("NAME")` and every method of a django-environ `Env` instance
    (`env.bool`, `env.int`, `env.list`, `env.db`, `env.email_url`, ...), `os.environ["NAME"]`,
    `os.environ.get("NAME")`, `os.getenv("NAME")`, `"NAME" in env` / `in os.environ`, and
    calls of helper functions defined in the module that read the environment themselves
    (`literal("NAME")`). A read whose name is not a string literal fails: then nobody can
    tell which variable it is.
    """
    tree = ast.parse(source)
    env_names = _env_instances(tree)
    helpers = {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and _reads_environment(node, env_names)
    }
    helper_bodies = {
        id(inner)
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name in helpers
        for inner in ast.walk(node)
    }
    names: set[str] = set()

    def add(argument: ast.AST | None, node: ast.AST) -> None:
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            names.add(argument.value)
        else:
            raise AssertionError(
                f"settings.py line {node.lineno}: an environment variable read with a name "
                "that is not a string literal"
            )

    for node in ast.walk(tree):
        if id(node) in helper_bodies:
            continue  # the helper's own read of its parameter
        if isinstance(node, ast.Call):
            function = node.func
            is_env_call = isinstance(function, ast.Name) and function.id in env_names
            is_env_method = (
                isinstance(function, ast.Attribute)
                and isinstance(function.value, ast.Name)
                and function.value.id in env_names
                and function.attr not in ENV_METHODS_NOT_READING
            )
            is_environ_get = (
                isinstance(function, ast.Attribute)
                and function.attr in ("get", "setdefault", "pop")
                and _is_os_environ(function.value)
            )
            is_helper = isinstance(function, ast.Name) and function.id in helpers
            is_getenv = _is_os_getenv(function)
            if is_env_call or is_env_method or is_environ_get or is_helper or is_getenv:
                add(_variable_argument(node), node)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and (
                _is_os_environ(node.value)
                or (isinstance(node.value, ast.Name) and node.value.id in env_names)
            )
        ):
            add(node.slice, node)
        elif isinstance(node, ast.Compare):
            for operator, comparator in zip(node.ops, node.comparators, strict=True):
                is_environment = _is_os_environ(comparator) or (
                    isinstance(comparator, ast.Name) and comparator.id in env_names
                )
                if isinstance(operator, ast.In | ast.NotIn) and is_environment:
                    add(node.left, node)
    return names


def settings_variables() -> set[str]:
    return variables_read(SETTINGS.read_text(encoding="utf-8"))


def documented_in_configuration(text: str) -> set[str]:
    # A row of a table whose first cell is the variable: `| `NAME` | ...`
    return set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", text, flags=re.MULTILINE))


def listed_in_env_example(text: str) -> set[str]:
    # Set or commented out: `NAME=value` or `# NAME=value`
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_the_parser_finds_every_way_a_settings_module_reads_a_variable():
    # given a settings module that reads its variables in every way settings.py may
    source = """
import os
import environ

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")


def literal(name, default=None):
    return os.environ.get(name, default)


A = env("CALLED")
B = env.bool("BOOLEAN", default=False)
C = env.int("INTEGER", default=1)
D = env.list("LIST", default=[])
E = env.db("DATABASE", default="sqlite://")
vars().update(env.email_url("EMAIL", default="filemail://"))
F = env.str(var="KEYWORD")
G = os.environ.get("ENVIRON_GET")
H = os.environ["ENVIRON_ITEM"]
os.environ["WRITTEN_NOT_READ"] = "1"
I = os.getenv("GETENV")
J = literal("HELPER")
if "MEMBERSHIP" in env:
    pass
if "ENVIRON_MEMBERSHIP" not in os.environ:
    pass
"""

    # when it is parsed
    found = variables_read(source)

    # then every variable is found, and nothing else
    assert found == {
        "CALLED",
        "BOOLEAN",
        "INTEGER",
        "LIST",
        "DATABASE",
        "EMAIL",
        "KEYWORD",
        "ENVIRON_GET",
        "ENVIRON_ITEM",
        "GETENV",
        "HELPER",
        "MEMBERSHIP",
        "ENVIRON_MEMBERSHIP",
    }


def test_a_variable_read_by_a_computed_name_fails_the_parser():
    source = "import environ\nenv = environ.Env()\nname = 'X'\nVALUE = env(name)\n"
    with pytest.raises(AssertionError, match="not a string literal"):
        variables_read(source)


def test_the_settings_are_parsed_for_the_variables_they_read():
    # A parser that silently found nothing would let every other test here pass.
    assert {
        "DEBUG",  # env.bool
        "SECRET_KEY",  # literal(...)
        "DATABASE_URL",  # env.db
        "EMAIL_URL",  # env.email_url
        "OIDC_CLIENT_SECRET",  # literal(...) inside an if
        "NOTIFICATIONS_MAX_PER_SECOND",  # env.float
    } <= settings_variables()


def test_every_variable_the_settings_read_is_documented_in_docs_configuration():
    documented = documented_in_configuration(CONFIGURATION_DOCS.read_text(encoding="utf-8"))
    missing = sorted(settings_variables() - documented)
    assert not missing, f"Not documented in a table row of docs/configuration.md: {missing}"


def test_every_variable_the_settings_read_is_in_env_example():
    listed = listed_in_env_example(ENV_EXAMPLE.read_text(encoding="utf-8"))
    missing = sorted(settings_variables() - listed)
    assert not missing, f"Not in .env.example (as NAME= or # NAME=): {missing}"
