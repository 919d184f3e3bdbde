"""The comparisons behind `chat-tui test` expectations: paths, value matchers, arguments, final text.

Every failing case checks the exact line a report shows; the properties say a value always fits
itself (under every args mode) and a path into a value always finds what is there.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chat_tui.testing.matchers import (
    MATCHER_KEYS,
    MISSING,
    args_problem,
    dig,
    short,
    subset_problem,
    text_problems,
    value_problem,
)
from chat_tui.testing.model import TextExpect

ARGS_MODES = ("exact", "subset", "superset", "ignore")

# dig ----------------------------------------------------------------------------------------------

NESTED = {"a": {"b": [{"c": 1}, {"c": 2}]}, "n": None, "0": "zero", "s": "text"}


@pytest.mark.parametrize(
    ("path", "found"),
    [
        ("a.b.0.c", 1),
        ("a.b.1.c", 2),
        ("a.b.-1.c", 2),
        ("a.b.-2.c", 1),
        ("a.b.1", {"c": 2}),
        ("n", None),  # present, and None
        ("0", "zero"),  # a mapping's key that looks like an index
        ("", NESTED),
        (".", NESTED),
    ],
)
def test_dig_finds(path: str, found: Any) -> None:
    assert dig(NESTED, path) == found
    assert dig(NESTED, path) is not MISSING


@pytest.mark.parametrize("path", ["x", "a.x", "a.b.2", "a.b.-3", "a.b.first", "a.b.0.c.d", "s.0", "n.x", "a.b.0.1"])
def test_dig_misses(path: str) -> None:
    assert dig(NESTED, path) is MISSING


def test_dig_into_a_top_level_list() -> None:
    assert dig([10, 20, 30], "-1") == 30
    assert dig([10, 20, 30], "0") == 10
    assert dig([10, 20, 30], "3") is MISSING
    assert dig([10, 20, 30], "x") is MISSING
    assert repr(MISSING) == "<missing>"


# value_problem ------------------------------------------------------------------------------------


def test_plain_values_compare_equal() -> None:
    assert value_problem("Paris", "Paris") is None
    assert value_problem({"a": [1, 2]}, {"a": [1, 2]}) is None
    assert value_problem("Paris", "San Francisco", "args.city") == "args.city is San Francisco, expected Paris"
    assert value_problem({"a": 1}, {"a": 2}) == 'the value is {"a": 2}, expected {"a": 1}'
    assert value_problem("Paris", MISSING, "args.city") == "args.city is missing (expected Paris)"
    assert value_problem(None, MISSING) == "the value is missing (expected null)"


def test_a_mapping_with_two_keys_is_a_plain_value_not_a_matcher() -> None:
    assert value_problem({"regex": "x", "eq": 1}, {"regex": "x", "eq": 1}) is None
    assert value_problem({"regex": "x", "eq": 1}, "x") == 'the value is x, expected {"regex": "x", "eq": 1}'


def test_regex() -> None:
    assert value_problem({"regex": "^sf$"}, "sf") is None
    assert value_problem({"regex": "fran"}, "san francisco") is None  # search, not fullmatch
    assert value_problem({"regex": "^sf$"}, "SF", "args.city") == "args.city is SF, which does not match /^sf$/"
    assert value_problem({"regex": "^1"}, 12) is None  # a non-string is matched as JSON
    assert value_problem({"regex": r'^\["a"\]$'}, ["a"]) is None
    assert value_problem({"regex": "x"}, MISSING) == "the value is missing"


def test_an_invalid_regex_is_reported_not_raised() -> None:
    problem = value_problem({"regex": "("}, "anything", "args.q")
    assert problem is not None
    assert problem.startswith("args.q: the regex ( is invalid (")


def test_eq_compares_a_literal_mapping() -> None:
    assert value_problem({"eq": {"regex": "x"}}, {"regex": "x"}) is None
    assert (
        value_problem({"eq": {"regex": "x"}}, {"regex": "y"}) == 'the value is {"regex": "y"}, expected {"regex": "x"}'
    )
    assert value_problem({"eq": 3}, MISSING) == "the value is missing"


def test_in() -> None:
    assert value_problem({"in": [1, 2]}, 2) is None
    assert value_problem({"in": [1, 2]}, 3, "args.n") == "args.n is 3, expected one of [1, 2]"
    assert value_problem({"in": "a"}, "a") is None  # one option need not be a list
    assert value_problem({"in": "a"}, "b") == 'the value is b, expected one of ["a"]'
    assert value_problem({"in": [1]}, MISSING) == "the value is missing"


def test_exists() -> None:
    assert value_problem({"exists": True}, None) is None  # present, even if null
    assert value_problem({"exists": True}, MISSING, "args.x") == "args.x is missing"
    assert value_problem({"exists": False}, MISSING) is None
    assert value_problem({"exists": False}, 5, "args.x") == "args.x exists (5), expected it absent"


@pytest.mark.parametrize(
    ("schema", "value", "problem"),
    [
        ({"type": "string"}, "x", None),
        ({"type": "string"}, 1, "args.v must be a string"),
        ({"type": "integer"}, 3.0, None),
        ({"type": "integer"}, 3.5, "args.v must be an integer"),
        ({"type": "integer"}, True, "args.v must be an integer"),
        ({"type": "array", "minItems": 2}, [1, 2], None),
        ({"type": "array", "minItems": 2}, [1], "args.v has 1 item(s), at least 2 expected"),
        ({"maxItems": 1}, [1, 2], "args.v has 2 item(s), at most 1 expected"),
        ({"minLength": 3}, "ab", "args.v has 2 character(s), at least 3 expected"),
        ({"maxLength": 2}, "abc", "args.v has 3 character(s), at most 2 expected"),
        ({"minLength": 3}, [1], None),  # string sizes apply to strings only
        ({"pattern": "^[a-z]+$"}, "abc", None),
        ({"pattern": "^[a-z]+$"}, "A1", "args.v must match ^[a-z]+$"),
        ({"pattern": "("}, "x", None),  # an invalid pattern in a schema checks nothing
        ({"minimum": 0}, 0, None),
        ({"minimum": 0}, -1, "args.v must be at least 0"),
        ({"maximum": 10}, 10.5, "args.v must be at most 10"),
        ({"minimum": 5}, True, None),  # booleans are not numbers here
        ({"enum": ["c", "f"]}, "k", "args.v must be one of c, f"),
        ({"const": 1}, 2, "args.v must be 1"),
        ({"type": "object", "required": ["q"]}, {}, "'q' is required"),
        (
            {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}},
            {"n": 0},
            "args.v.n must be at least 1",
        ),
        ({"type": "array", "items": {"type": "string"}}, ["a", 2], "args.v[1] must be a string"),
        ("not a mapping", 1, None),  # read as an empty schema
    ],
)
def test_schema(schema: Any, value: Any, problem: str | None) -> None:
    assert value_problem({"schema": schema}, value, "args.v") == problem


def test_schema_on_a_missing_value() -> None:
    assert value_problem({"schema": {}}, MISSING, "args.v") == "args.v is missing"


# subset_problem -----------------------------------------------------------------------------------


def test_subset_of_nested_mappings() -> None:
    actual = {"a": {"b": 1, "c": 2}, "d": 3}
    assert subset_problem({"a": {"b": 1}}, actual) is None
    assert subset_problem({}, actual) is None
    assert subset_problem({"a": {"b": 2}}, actual) == "the value.a.b is 1, expected 2"
    assert subset_problem({"a": {"z": 1}}, actual) == "the value.a.z is missing (expected 1)"
    assert subset_problem({"d": {"e": 1}}, actual) == 'the value.d is 3, expected a mapping with {"e": 1}'
    assert subset_problem({"k": 1}, {"k": 2}, "interrupt") == "interrupt.k is 2, expected 1"


def test_subset_of_lists_item_by_item_from_the_start() -> None:
    assert subset_problem([1, {"k": 1}], [1, {"k": 1, "z": 0}, 9]) is None
    assert subset_problem([1, 2], [1]) == "the value has 1 item(s), expected at least 2"
    assert subset_problem([1], [2, 1]) == "the value.0 is 2, expected 1"
    assert subset_problem({"l": [{"k": 1}]}, {"l": [{"k": 2}]}) == "the value.l.0.k is 2, expected 1"
    assert subset_problem([1], "x") == "the value is x, expected [1]"


def test_subset_with_matchers() -> None:
    assert subset_problem({"a": {"regex": "^x"}}, {"a": "xy"}) is None
    assert subset_problem({"a": {"exists": False}}, {"b": 1}) is None
    assert subset_problem({"a": {"exists": False}}, {"a": 1}) == "the value.a exists (1), expected it absent"
    assert subset_problem({"in": [1, 2]}, 2) is None


# args_problem -------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ARGS_MODES)
def test_args_listed_as_none_match_anything(mode: str) -> None:
    assert args_problem(None, "not even an object", mode) is None


def test_args_ignore() -> None:
    assert args_problem({"city": "Paris"}, {"city": "Rome"}, "ignore") is None
    assert args_problem({"city": "Paris"}, "text", "ignore") is None


@pytest.mark.parametrize("mode", ["exact", "subset", "superset"])
def test_args_that_are_not_an_object(mode: str) -> None:
    assert args_problem({"a": 1}, "text", mode) == "the arguments are text, not an object"
    assert args_problem({"a": 1}, [1], mode) == "the arguments are [1], not an object"


def test_args_exact() -> None:
    assert args_problem({"city": "Paris"}, {"city": "Paris"}, "exact") is None
    assert args_problem({"city": {"regex": "^P"}}, {"city": "Paris"}, "exact") is None
    assert args_problem({"city": "Paris"}, {"city": "San Francisco"}, "exact") == (
        "args.city is San Francisco, expected Paris"
    )
    assert args_problem({"city": "Paris"}, {"city": "Paris", "units": "c"}, "exact") == (
        'arguments {"city": "Paris", "units": "c"}: unexpected units'
    )
    assert args_problem({"city": "Paris"}, {}, "exact") == "arguments {}: missing city"
    assert args_problem({"a": 1, "c": 1}, {"b": 1, "d": 1}, "exact") == (
        'arguments {"b": 1, "d": 1}: unexpected b, d; missing a, c'
    )
    assert args_problem({}, {"a": 1}, "exact") == 'arguments {"a": 1}: unexpected a'


def test_args_subset() -> None:
    actual = {"city": "Paris", "units": "c", "loc": {"zip": 75001, "tags": ["x", "y"]}}
    assert args_problem({"city": "Paris"}, actual, "subset") is None
    assert args_problem({}, actual, "subset") is None
    assert args_problem({"loc.zip": 75001, "loc.tags.-1": "y"}, actual, "subset") is None
    assert args_problem({"city": "Paris"}, {"city": "San Francisco"}, "subset") == (
        "args.city is San Francisco, expected Paris"
    )
    assert args_problem({"loc.zip": 1}, actual, "subset") == "args.loc.zip is 75001, expected 1"
    assert args_problem({"country": "FR"}, actual, "subset") == "args.country is missing (expected FR)"
    assert (
        args_problem({"units": {"in": ["f", "k"]}}, actual, "subset") == 'args.units is c, expected one of ["f", "k"]'
    )


def test_args_superset() -> None:
    listed = {"city": "Paris", "units": "c"}
    assert args_problem(listed, {"city": "Paris"}, "superset") is None  # listed ones may be missing
    assert args_problem(listed, {}, "superset") is None
    assert args_problem(listed, {"city": "Paris", "units": "c"}, "superset") is None
    assert args_problem(listed, {"city": "Paris", "extra": 1}, "superset") == (
        "argument(s) extra are not listed (args_mode: superset)"
    )
    assert args_problem(listed, {"c": 1, "b": 2, "city": "Paris"}, "superset") == (
        "argument(s) b, c are not listed (args_mode: superset)"
    )
    assert args_problem(listed, {"city": "San Francisco"}, "superset") == "args.city is San Francisco, expected Paris"
    assert args_problem({}, {"a": 1}, "superset") == "argument(s) a are not listed (args_mode: superset)"


def test_args_superset_lists_a_key_through_a_dotted_path() -> None:
    assert args_problem({"loc.city": "Paris"}, {"loc": {"city": "Paris", "zip": 1}}, "superset") is None
    assert args_problem({"loc.city": "Paris"}, {"loc": {"city": "Rome"}}, "superset") == (
        "args.loc.city is Rome, expected Paris"
    )
    assert args_problem({"location.city": "Paris"}, {"loc": {}}, "superset") == (
        "argument(s) loc are not listed (args_mode: superset)"
    )


# text_problems ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expect", "text", "problems"),
    [
        (TextExpect(), "anything", []),
        (TextExpect(equals="hello"), "hello", []),
        (TextExpect(equals="hi"), "hello", ["final text is hello, expected exactly hi"]),
        (TextExpect(equals=""), "", []),
        (TextExpect(contains="ell"), "hello", []),
        (TextExpect(contains="xyz"), "hello", ["final text hello does not contain xyz"]),
        (TextExpect(contains="HELL"), "hello", ["final text hello does not contain HELL"]),
        (TextExpect(icontains="HELL"), "hello", []),
        (TextExpect(icontains="bye"), "hello", ["final text hello does not contain bye (any case)"]),
        (TextExpect(not_equals="hello"), "hello", ["final text is exactly hello"]),
        (TextExpect(not_equals="hi"), "hello", []),
        (TextExpect(not_contains="ell"), "hello", ["final text hello contains ell"]),
        (TextExpect(not_contains="ELL"), "hello", []),
        (TextExpect(not_icontains="ELL"), "hello", ["final text hello contains ELL (any case)"]),
        (TextExpect(not_icontains="bye"), "hello", []),
        (TextExpect(regex="^h.*o$"), "hello", []),
        (TextExpect(regex="^h.*z$"), "hello", ["final text hello does not match /^h.*z$/"]),
        (TextExpect(not_regex="ll"), "hello", ["final text hello matches /ll/"]),
        (TextExpect(not_regex="z"), "hello", []),
        (TextExpect(min_length=5, max_length=5), "hello", []),
        (TextExpect(min_length=6), "hello", ["final text has 5 characters, expected at least 6"]),
        (TextExpect(max_length=4), "hello", ["final text has 5 characters, expected at most 4"]),
        (
            TextExpect(equals="x", not_contains="h", regex="z", max_length=1),
            "hi\n  there",
            [
                "final text is hi there, expected exactly x",
                "final text hi there contains h",
                "final text hi there does not match /z/",
                "final text has 10 characters, expected at most 1",
            ],
        ),
    ],
)
def test_text(expect: TextExpect, text: str, problems: list[str]) -> None:
    assert text_problems(expect, text) == problems


@pytest.mark.parametrize("field", ["regex", "not_regex"])
def test_an_invalid_text_regex_is_reported_not_raised(field: str) -> None:
    (problem,) = text_problems(TextExpect(**{field: "("}), "hello")
    assert problem.startswith("the regex /(/ is invalid (missing ), unterminated subpattern")


def test_any_case_is_case_folding() -> None:
    assert text_problems(TextExpect(icontains="µ".upper()), "µ") == []
    assert text_problems(TextExpect(icontains="STRASSE"), "straße") == []
    assert text_problems(TextExpect(not_icontains="Μ"), "µ") == ["final text µ contains Μ (any case)"]


def test_argument_names_with_dots_or_empty_are_read_as_they_are() -> None:
    for mode in ("exact", "subset", "superset"):
        assert args_problem({"a.b": 1}, {"a.b": 1}, mode) is None
        assert args_problem({"": 1}, {"": 1}, mode) is None
    assert args_problem({"a.b": 1}, {"a.b": 2}, "superset") == "args.a.b is 2, expected 1"
    assert args_problem({"a.b": 1}, {"a": {"b": 1}}, "subset") is None  # a dotted path when no such name


def test_a_long_text_is_shortened_in_the_report() -> None:
    (problem,) = text_problems(TextExpect(contains="zzz"), "a" * 500)
    assert problem == f"final text {'a' * 119}… does not contain zzz"
    assert short("x" * 121) == "x" * 119 + "…"
    assert short("x" * 120) == "x" * 120


@given(st.text(max_size=40), st.data())
def test_a_text_fits_expectations_drawn_from_itself(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    piece = text[start:end]
    # "any case" is str.casefold() on both sides; a piece whose upper case folds to something else
    # (rare, e.g. some ligatures) is used as it is.
    shouted = piece.upper() if piece.upper().casefold() == piece.casefold() else piece
    fits = TextExpect(
        equals=text,
        contains=piece,
        icontains=shouted,
        not_icontains=text + "!",
        regex=f"^{re.escape(text)}$",
        not_equals=text + "!",
        not_contains=text + "!",
        min_length=len(text),
        max_length=len(text),
    )
    assert text_problems(fits, text) == []
    assert text_problems(TextExpect(not_equals=text, not_regex=re.escape(piece)), text) == [
        f"final text is exactly {short(text)}",
        f"final text {short(text)} matches /{re.escape(piece)}/",
    ]


# properties ---------------------------------------------------------------------------------------

# Keys that a dotted path can name: no ".", not empty (an empty path is the whole value), and not a
# matcher key (a one-key mapping {regex: ...} in an expectation is a matcher, by design).
KEYS = st.text(alphabet="abcxyz_-0123456789", min_size=1, max_size=4).filter(lambda k: k not in MATCHER_KEYS)
LEAVES = st.one_of(st.integers(-5, 5), st.text(max_size=5), st.booleans(), st.none())
JSON = st.recursive(
    LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=3)),
    max_leaves=12,
)
OBJECTS = st.dictionaries(KEYS, JSON, max_size=4)


@settings(max_examples=200, deadline=None)
@given(OBJECTS)
def test_arguments_fit_themselves_under_every_mode(d: dict[str, Any]) -> None:
    for mode in ARGS_MODES:
        assert args_problem(d, d, mode) is None, mode
    assert subset_problem(d, d) is None


@settings(max_examples=200, deadline=None)
@given(OBJECTS)
def test_one_changed_argument_is_noticed(d: dict[str, Any]) -> None:
    changed = {**d, "changed": ["a value no leaf can be"]}
    listed = {**d, "changed": "before"}
    for mode in ("exact", "subset", "superset"):
        assert args_problem(listed, changed, mode) == 'args.changed is ["a value no leaf can be"], expected before'
    assert subset_problem(listed, changed) == 'the value.changed is ["a value no leaf can be"], expected before'


def paths(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Every dotted path into *value* with what it holds (list items by index and from the end)."""
    found = [(prefix, value)] if prefix else []
    if isinstance(value, dict):
        items = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(str(n), v) for n, v in enumerate(value)]
        items += [(str(n - len(value)), v) for n, v in enumerate(value)]
    else:
        items = []
    for key, item in items:
        found += paths(item, f"{prefix}.{key}" if prefix else key)
    return found


@settings(max_examples=200, deadline=None)
@given(OBJECTS)
def test_dig_finds_what_is_at_every_path(d: dict[str, Any]) -> None:
    for path, value in paths(d):
        assert dig(d, path) == value, path
    assert dig(d, "no-such-key") is MISSING or "no-such-key" in d


# args_mode exact with dotted paths ----------------------------------------------------------------


def test_args_exact_reads_dotted_paths_by_their_top_level_argument() -> None:
    assert args_problem({"a.b": 1}, {"a": {"b": 1}}, "exact") is None  # was: "unexpected a; missing a.b"
    assert args_problem({"a.b": 1, "a.c": 2}, {"a": {"b": 1, "c": 2}}, "exact") is None
    assert args_problem({"a.b": 1}, {"a": {"b": 1, "c": 2}}, "exact") is None  # list `a` itself to pin all of it
    assert args_problem({"a": {"b": 1}}, {"a": {"b": 1, "c": 2}}, "exact") == (
        'args.a is {"b": 1, "c": 2}, expected {"b": 1}'
    )
    assert (
        args_problem({"a.b": 1}, {"a": {"b": 1}, "z": 0}, "exact") == 'arguments {"a": {"b": 1}, "z": 0}: unexpected z'
    )
    assert args_problem({"a.b": 1}, {"z": 0}, "exact") == 'arguments {"z": 0}: unexpected z; missing a.b'
    assert args_problem({"a.b": 1}, {"a": {"b": 2}}, "exact") == "args.a.b is 2, expected 1"
    assert args_problem({"a.b": 1}, {"a": 5}, "exact") == "args.a.b is missing (expected 1)"
    assert args_problem({"a.b": 1}, {"a.b": 1}, "exact") is None  # an argument named with a dot, read as it is
    assert args_problem({"a.b": 1}, {"a.b": 1, "a": {"b": 1}}, "exact") == (
        'arguments {"a.b": 1, "a": {"b": 1}}: unexpected a'
    )


def leaf_paths(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """*value* as dotted paths to its leaves (mappings are walked, lists and empty mappings are leaves)."""
    flat: dict[str, Any] = {}
    for key, item in value.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(item, dict) and item:
            flat.update(leaf_paths(item, path))
        else:
            flat[path] = item
    return flat


@settings(max_examples=200, deadline=None)
@given(OBJECTS, st.data())
def test_exact_with_dotted_paths_is_exact_on_the_nested_object(d: dict[str, Any], data: st.DataObject) -> None:
    """Listing an object's leaves by dotted path is an exact match of the object itself; an argument
    no path starts with is unexpected, one no path reaches is missing, a changed leaf is noticed."""
    flat = leaf_paths(d)
    assert args_problem(flat, d, "exact") is None
    assert args_problem(flat, {**d, "extra": 1}, "exact") == f"arguments {short({**d, 'extra': 1})}: unexpected extra"
    if flat:
        path = data.draw(st.sampled_from(sorted(flat)))
        top = path.split(".", 1)[0]
        without = {k: v for k, v in d.items() if k != top}
        problem = args_problem(flat, without, "exact") or ""
        assert path in problem.split("; missing ", 1)[-1].split("missing ", 1)[-1].split(", "), problem
        changed = {**flat, path: ["a value no leaf can be"]}
        assert args_problem(changed, d, "exact") == f"args.{path} is {short(flat[path])}, expected " + short(
            ["a value no leaf can be"]
        )
