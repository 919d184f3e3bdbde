"""Server URLs and API keys: validated up front, never echoed."""

from __future__ import annotations

import pytest

from chat_tui.client.auth import key_from_env, normalize_key
from chat_tui.client.errors import InvalidApiKey, InvalidURL
from chat_tui.client.responses import parse_retry_after
from chat_tui.client.urls import display_host, is_loopback, normalize_base_url, same_origin
from chat_tui.connection import resolve_api_key

SECRET = "lsv2_sk_0123456789abcdef"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("http://127.0.0.1:2024/", "http://127.0.0.1:2024"),
        ("  localhost:2024  ", "http://localhost:2024"),
        ("my-deploy.example.com", "https://my-deploy.example.com"),
        ("HTTPS://Host.Example.com/prefix/", "https://host.example.com/prefix"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("http://intranet-box", "http://intranet-box"),  # a one-word host, with its scheme, is taken
        ("langgraph:2024", "https://langgraph:2024"),
    ],
)
def test_urls_are_normalised(raw: str, expected: str) -> None:
    assert normalize_base_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "ftp://x",
        "http://user:pw@host",
        "https://h?api_key=1",
        "http://h:99999",
        "http://h x",
        "http://",
        "https://h#frag",
        "notaurl",  # a bare word is a slip, not a server
        "agent/",
    ],
)
def test_bad_urls_are_refused_with_one_line(raw: str) -> None:
    with pytest.raises(InvalidURL) as info:
        normalize_base_url(raw)
    assert "\n" not in str(info.value) and "pw" not in str(info.value)


def test_hosts_and_origins() -> None:
    assert display_host("https://user@host.example.com:8443/x?y") == "host.example.com:8443"
    assert (
        is_loopback("127.0.0.5") and is_loopback("localhost") and is_loopback("[::1]") and not is_loopback("10.0.0.1")
    )
    assert same_origin("https://a.example/x", "https://a.example:443/y")
    assert not same_origin("https://a.example", "https://b.example")


def test_keys_are_stripped_validated_and_never_shown() -> None:
    key = normalize_key(f'  "{SECRET}"\n', "env:X")
    assert key.secret.get_secret_value() == SECRET
    assert SECRET not in repr(key) and key.masked() == "…cdef"
    with pytest.raises(InvalidApiKey) as info:
        normalize_key(SECRET + " extra", "--api-key")
    assert SECRET not in str(info.value)
    with pytest.raises(InvalidApiKey):
        normalize_key("   ", "--api-key")


def test_env_order_follows_the_sdk() -> None:
    env = {"LANGSMITH_API_KEY": "smith_key_123", "LANGCHAIN_API_KEY": "chain_key_123"}
    assert key_from_env(env).source == "env:LANGSMITH_API_KEY"  # type: ignore[union-attr]
    env["LANGGRAPH_API_KEY"] = "graph_key_123"
    assert key_from_env(env).source == "env:LANGGRAPH_API_KEY"  # type: ignore[union-attr]
    assert key_from_env({}) is None


def test_env_keys_go_only_to_langsmith_hosted_deployments_unless_named() -> None:
    env = {"LANGSMITH_API_KEY": SECRET, "MY_KEY": "named_key_123"}
    assert resolve_api_key("http://127.0.0.1:2024", env=env) is None
    assert resolve_api_key("https://third-party.example.com", env=env) is None
    hosted = resolve_api_key("https://my-agent-1a2b3c.us.langgraph.app", env=env)
    assert hosted is not None and hosted.source == "env:LANGSMITH_API_KEY"
    assert resolve_api_key("https://third-party.example.com", api_key_env="MY_KEY", env=env) is not None
    assert resolve_api_key("http://127.0.0.1:2024", api_key_env="MY_KEY", env=env).source == "env:MY_KEY"  # type: ignore[union-attr]
    with pytest.raises(InvalidApiKey):
        resolve_api_key("http://127.0.0.1:2024", api_key_env="MISSING", env=env)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("2", 2.0),
        ("0", 0.0),
        ("-1", None),
        ("garbage", None),
        ("99999999", 120.0),
        (None, None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ],
)
def test_retry_after_is_parsed_and_clamped(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_retry_after_http_date_in_the_future() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412480.0) == pytest.approx(30.0)
