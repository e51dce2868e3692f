"""Base URLs a browser user may add: open locally, restricted when a deployment says so."""

from __future__ import annotations

import pytest

from playground.url_policy import check_base_url


def test_anything_http_is_allowed_by_default():
    assert check_base_url("http://localhost:8000/v1", {}) is None
    assert check_base_url("https://bedrock-runtime.us-west-2.amazonaws.com/openai/v1", {}) is None


@pytest.mark.parametrize("url", ["ftp://x/v1", "localhost:8000", "file:///etc/passwd", "http:///v1"])
def test_not_http_urls_are_refused(url):
    assert check_base_url(url, {}) is not None


def test_credentials_in_url_are_refused():
    assert "key field" in check_base_url("https://user:pw@host/v1", {})


def test_allowlist():
    env = {"PLAYGROUND_ALLOWED_HOSTS": "bedrock-runtime.us-west-2.amazonaws.com, gpu-box"}
    assert check_base_url("https://bedrock-runtime.us-west-2.amazonaws.com/openai/v1", env) is None
    assert check_base_url("http://GPU-BOX:8000/v1", env) is None
    assert "only allows" in check_base_url("http://evil.test/v1", env)


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest",
        "http://[::ffff:a9fe:a9fe]/latest",  # the metadata address, IPv4-mapped
        "http://127.0.0.1:8080/v1",
        "http://10.0.0.5/v1",
        "http://localhost/v1",
        "http://[::1]/v1",
    ],
)
def test_private_networks_blocked_when_asked(url):
    env = {"PLAYGROUND_BLOCK_PRIVATE_NETWORKS": "1"}
    assert check_base_url(url, env) is not None
    assert check_base_url(url, {}) is None
